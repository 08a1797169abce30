import { IncomingMessage, ServerResponse, STATUS_CODES } from 'http';
import { Duplex } from 'stream';
import { acceptCorrelationId, CORRELATION_HEADER } from '../context/correlation-id';
import { ErrorBody } from '../errors/error-response';
import { API_SECURITY_HEADERS } from './security-headers';

// Node answers some requests itself, below fastify and Nest: unparsable framing, oversized headers,
// timeouts, unknown expectations, CONNECT. These handlers give those answers the error contract.

interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

function classify(err: ClientError): [number, string, string] {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [408, 'REQUEST.TIMEOUT', 'The request was not received completely in time'];
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return [431, 'REQUEST.HEADERS_TOO_LARGE', 'The request line and headers together exceed the allowed size'];
  }
  return [400, 'REQUEST.MALFORMED', 'The request is not valid HTTP/1.1 (framing, method or header syntax)'];
}

// The caller's id when its headers could be read at all, else a fresh one.
function correlationIdFrom(rawPacket: unknown): string {
  const match = Buffer.isBuffer(rawPacket) ? /\r\nx-correlation-id:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(rawPacket.toString('latin1')) : null;
  return acceptCorrelationId(match?.[1]).id;
}

export function errorBody(error: string, message: string, correlationId: string): ErrorBody {
  return { error, message, correlation_id: correlationId };
}

// The same security headers as every other API answer, as raw header lines.
const RAW_SECURITY_HEADERS = Object.entries(API_SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

// Written and then destroyed, as Node and fastify do: a small write leaves synchronously, and a
// client that does not read must not keep the socket.
function writeRawAndClose(socket: Duplex, status: number, body: ErrorBody): void {
  const json = JSON.stringify(body);
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
      `X-Correlation-ID: ${body.correlation_id}\r\n${RAW_SECURITY_HEADERS}Connection: close\r\n\r\n${json}`,
  );
  socket.destroy();
}

export function handleClientError(err: ClientError, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: answer only if no response of this connection has started (private field, read-only).
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const [status, code, message] = classify(err);
    writeRawAndClose(socket, status, errorBody(code, message, correlationIdFrom(err.rawPacket)));
  }
  socket.destroy();
}

// Only "Expect: 100-continue" is defined; Node would answer anything else with an empty 417.
export function answerExpectation(request: IncomingMessage, response: ServerResponse): void {
  const id = acceptCorrelationId(request.headers[CORRELATION_HEADER]).id;
  const json = JSON.stringify(errorBody('REQUEST.EXPECTATION_FAILED', 'Only "Expect: 100-continue" is supported', id));
  response.shouldKeepAlive = false;
  response.writeHead(417, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'X-Correlation-ID': id,
    ...API_SECURITY_HEADERS,
    Connection: 'close',
  });
  response.end(json);
}

// Without a listener Node closes CONNECT connections without a word; this is not a proxy.
export function answerConnect(request: IncomingMessage, socket: Duplex): void {
  const id = acceptCorrelationId(request.headers[CORRELATION_HEADER]).id;
  writeRawAndClose(socket, 405, errorBody('HTTP.METHOD_NOT_ALLOWED', 'CONNECT is not supported', id));
}
