import { connect, Socket } from 'net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Everything the server wrote until it closed the connection (or until the first complete response
// when keepOpen is set), parsed loosely: enough to check status, headers and a JSON body.
export function parseRaw(text: string): RawResponse {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  let body = rest.join('\r\n\r\n');
  if (headers['transfer-encoding'] === 'chunked') body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

// Sends the bytes and resolves with what came back once the server closes the connection.
export async function rawExchange(port: number, ...parts: Array<string | Buffer>): Promise<RawResponse> {
  const socket = await openSocket(port);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(parseRaw(Buffer.concat(chunks).toString('utf8'))));
    for (const part of parts) socket.write(part);
  });
}

// Resolves with the first response written on an open socket, which stays open.
export function firstResponse(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const parsed = text.includes('\r\n\r\n') ? parseRaw(text) : null;
      const length = parsed ? Number(parsed.headers['content-length']) : NaN;
      if (parsed && Buffer.byteLength(parsed.body) >= length) {
        socket.off('data', onData);
        resolve(parsed);
      }
    };
    socket.on('data', onData);
  });
}

export function closed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    if (socket.destroyed) return resolve(text);
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

export function expectContract(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body);
  expect(body).toMatchObject({ error: code, message: expect.any(String) });
  expect(body.correlation_id).toBe(response.headers['x-correlation-id']);
  expect(body.correlation_id).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
}
