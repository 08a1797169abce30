import { expectContract, rawExchange } from '../helpers/raw-http';
import { startApi, TestApp } from '../helpers/test-app';

const json = 'Content-Type: application/json\r\n';
const post = (headers: string, body = '') => `POST /api/v1/routes HTTP/1.1\r\nHost: t\r\n${headers}\r\n${body}`;

// Requests Node rejects below fastify and Nest: each answer is still JSON in the error contract,
// with an X-Correlation-ID header, and the connection is closed.
describe('Raw HTTP framing and oversized input (e2e)', () => {
  let api: TestApp;
  let port: number;

  beforeAll(async () => {
    api = await startApi();
    port = (api.app.getHttpServer().address() as { port: number }).port;
  });

  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['a negative Content-Length', post(`${json}Content-Length: -1\r\n`, '{}')],
    ['a non-numeric Content-Length', post(`${json}Content-Length: 1x\r\n`, '{}')],
    ['two different Content-Lengths', post(`${json}Content-Length: 2\r\nContent-Length: 3\r\n`, '{}')],
    ['Content-Length with Transfer-Encoding', post(`${json}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n`, '2\r\n{}\r\n0\r\n\r\n')],
    ['an unknown Transfer-Encoding', post(`${json}Transfer-Encoding: gzip\r\n`, '{}')],
    ['a chunk size that is not hex', post(`${json}Transfer-Encoding: chunked\r\n`, 'zz\r\n{}\r\n0\r\n\r\n')],
    ['a chunk longer than announced', post(`${json}Transfer-Encoding: chunked\r\n`, '1\r\n{}\r\n0\r\n\r\n')],
    ['a lower-case method', 'get /health/live HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['an unknown method', 'FETCH /health/live HTTP/1.1\r\nHost: t\r\n\r\n'],
    ['a header without a colon', 'GET /health/live HTTP/1.1\r\nHost: t\r\nBroken header\r\n\r\n'],
    ['a space before the colon', 'GET /health/live HTTP/1.1\r\nHost : t\r\n\r\n'],
    ['a bare LF line ending', 'GET /health/live HTTP/1.1\nHost: t\n\n'],
    ['an unknown HTTP version', 'GET /health/live HTTP/7.3\r\nHost: t\r\n\r\n'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['a control character in the URL', 'GET /health/\x01live HTTP/1.1\r\nHost: t\r\n\r\n'],
  ])('should answer %s with 400 REQUEST.MALFORMED', async (_name, request) => {
    expectContract(await rawExchange(port, request), 400, 'REQUEST.MALFORMED');
  });

  it('should keep a sane correlation id even when the request line is malformed', async () => {
    const response = await rawExchange(port, 'get /health/live HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: probe-7\r\n\r\n');

    expect(response.headers['x-correlation-id']).toBe('probe-7');
  });

  it.each([
    ['one 20 KiB header', `GET /health/live HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['many small headers', `GET /health/live HTTP/1.1\r\nHost: t\r\n${'X-H: 1234567890\r\n'.repeat(2000)}\r\n`],
    ['a 20 KiB URL', `GET /api/v1/routes/resolve?tenant=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: t\r\n\r\n`],
  ])('should answer %s with 431 REQUEST.HEADERS_TOO_LARGE', async (_name, request) => {
    expectContract(await rawExchange(port, request), 431, 'REQUEST.HEADERS_TOO_LARGE');
  });

  it.each([
    ['HTTP/1.1 without Host on a GET', 'GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n'],
    ['HTTP/1.1 without Host on a POST', `POST /api/v1/routes HTTP/1.1\r\n${json}Content-Length: 2\r\nConnection: close\r\n\r\n{}`],
  ])('should answer %s with 400 REQUEST.INVALID', async (_name, request) => {
    expectContract(await rawExchange(port, request), 400, 'REQUEST.INVALID');
  });

  it('should still serve HTTP/1.0 without Host', async () => {
    const response = await rawExchange(port, 'GET /health/live HTTP/1.0\r\n\r\n');

    expect(response.status).toBe(200);
  });

  it.each(['foo', '200-ok', 'continue'])('should answer "Expect: %s" with 417 in the contract', async (expectation) => {
    const response = await rawExchange(port, post(`${json}Expect: ${expectation}\r\nContent-Length: 2\r\n`, '{}'));

    expectContract(response, 417, 'REQUEST.EXPECTATION_FAILED');
  });

  it('should answer CONNECT with 405 in the contract', async () => {
    expectContract(await rawExchange(port, 'CONNECT a.example.com:443 HTTP/1.1\r\nHost: a.example.com:443\r\n\r\n'), 405, 'HTTP.METHOD_NOT_ALLOWED');
  });

  it.each([
    ['one 0xFF byte', Buffer.from([0xff])],
    ['a truncated UTF-8 sequence in a string', Buffer.concat([Buffer.from('{"tenant":"a'), Buffer.from([0xc3]), Buffer.from('"}')])],
    ['an encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"url":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['an overlong encoding of "/"', Buffer.concat([Buffer.from('{"url":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
  ])('should answer a body with %s as malformed JSON', async (_name, body) => {
    const head = post(`${json}Content-Length: ${body.length}\r\nConnection: close\r\n`);

    expectContract(await rawExchange(port, head, body), 400, 'REQUEST.MALFORMED_JSON');
  });

  it('should answer a body over 16 KiB announced by Content-Length with 413 without reading it', async () => {
    const response = await rawExchange(port, post(`${json}Content-Length: 1000000\r\n`, '{"tenant":'));

    expectContract(response, 413, 'REQUEST.TOO_LARGE');
    expect(response.headers.connection).toBe('close');
  });

  it('should answer a chunked body growing past 16 KiB with 413', async () => {
    const chunk = `{"url":"${'x'.repeat(17_000)}"}`;
    const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`;

    expectContract(await rawExchange(port, post(`${json}Transfer-Encoding: chunked\r\n`, body)), 413, 'REQUEST.TOO_LARGE');
  });
});
