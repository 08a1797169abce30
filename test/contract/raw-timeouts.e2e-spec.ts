import { Socket } from 'net';
import { closed, expectContract, firstResponse, openSocket, parseRaw, rawExchange } from '../helpers/raw-http';
import { startApi, TestApp } from '../helpers/test-app';

const TIMEOUTS = {
  HTTP_HEADERS_TIMEOUT_MS: '1000',
  HTTP_BODY_TIMEOUT_MS: '1000',
  HTTP_REQUEST_TIMEOUT_MS: '3000',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
};
const json = 'Content-Type: application/json\r\n';

// Stalled clients are answered 408 in the error contract and disconnected once their configured
// timeout has passed; idle and slow connections do not keep others from being served.
describe('Raw HTTP timeouts (e2e)', () => {
  let api: TestApp;
  let port: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    api = await startApi(TIMEOUTS);
    port = (api.app.getHttpServer().address() as { port: number }).port;
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['nothing at all', ''],
    ['half a request line', 'GET /health/li'],
    ['headers without the blank line', 'GET /health/live HTTP/1.1\r\nHost: t\r\n'],
  ])('should answer a connection that sends %s with 408 REQUEST.TIMEOUT', async (_name, partial) => {
    expectContract(await rawExchange(port, partial), 408, 'REQUEST.TIMEOUT');
  });

  it.each([
    ['4 of 500 announced bytes', `POST /api/v1/routes HTTP/1.1\r\nHost: t\r\n${json}Content-Length: 500\r\n\r\n{"te`],
    ['a chunked body without its last chunk', `POST /api/v1/routes HTTP/1.1\r\nHost: t\r\n${json}Transfer-Encoding: chunked\r\n\r\n2\r\n{"\r\n`],
    ['no body at all', `POST /api/v1/routes/activate HTTP/1.1\r\nHost: t\r\n${json}Content-Length: 20\r\n\r\n`],
  ])('should answer a stalled body (%s) with 408 and close the connection', async (_name, partial) => {
    const response = await rawExchange(port, partial);

    expectContract(response, 408, 'REQUEST.TIMEOUT');
    expect(response.headers.connection).toBe('close');
  });

  it('should cut off a body trickled slower than the body timeout allows', async () => {
    const socket = await openSocket(port);
    sockets.push(socket);
    const answer = closed(socket);
    socket.write(`POST /api/v1/routes HTTP/1.1\r\nHost: t\r\n${json}Content-Length: 400\r\n\r\n`);
    const trickle = setInterval(() => !socket.destroyed && socket.write(' '), 200);

    const response = parseRaw(await answer);
    clearInterval(trickle);

    expectContract(response, 408, 'REQUEST.TIMEOUT');
  });

  it('should close an idle keep-alive connection after the keep-alive timeout', async () => {
    const socket = await openSocket(port);
    sockets.push(socket);
    const answer = firstResponse(socket);
    socket.write('GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n');

    expect((await answer).status).toBe(200);
    await expect(closed(socket)).resolves.toBe('');
  });

  it('should serve other clients while 300 idle and 30 slow connections are open, then drop those', async () => {
    const idle = await Promise.all(Array.from({ length: 300 }, () => openSocket(port)));
    const slow = await Promise.all(Array.from({ length: 30 }, () => openSocket(port)));
    sockets.push(...idle, ...slow);
    const endings = [...idle, ...slow].map(closed);
    slow.forEach((socket) => socket.write('POST /api/v1/routes HTTP/1.1\r\nHost: t\r\n'));
    const trickle = setInterval(() => slow.forEach((socket) => !socket.destroyed && socket.write('X-Slow: 1\r\n')), 100);

    try {
      const served = await Promise.all(Array.from({ length: 20 }, () => api.http.get('/health/live')));
      expect(served.map((r) => r.status)).toEqual(Array(20).fill(200));

      const answers = await Promise.all(endings);
      for (const answer of answers) expectContract(parseRaw(answer), 408, 'REQUEST.TIMEOUT');
    } finally {
      clearInterval(trickle);
    }
  });
});
