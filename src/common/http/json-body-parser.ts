import { isUtf8 } from 'buffer';
import { FastifyInstance } from 'fastify';
import { Readable } from 'stream';

interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

const clientError = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

// Reads the whole body as bytes: fastify's own reader decodes while it counts, so a byte that is not
// UTF-8 surfaced as a Content-Length mismatch; and it waits for a stalled body forever.
// `routeLimit` gives the route's own limit (fastify's per-route bodyLimit, larger for a changeset);
// it is asked only once a body outgrows the default, so ordinary requests never build
// request.routeOptions (a new object per access).
function readBody(payload: Readable, declaredLength: string | undefined, limits: BodyLimits, routeLimit: () => number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let maxBytes = limits.maxBytes;
    let raised = false;
    const over = (bytes: number) => {
      if (bytes <= maxBytes) return false;
      if (!raised) {
        raised = true;
        maxBytes = Math.max(maxBytes, routeLimit());
      }
      return bytes > maxBytes;
    };
    const { timeoutMs } = limits;
    if (over(Number(declaredLength) || 0)) return reject(clientError(413, 'Request body is too large'));
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      payload.off('data', onData).off('end', onEnd).off('error', onClose).off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (over(size)) finish(clientError(413, 'Request body is too large'));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    // The connection broke or Node rejected the framing (and has answered): a client failure, not ours.
    const onClose = () => finish(clientError(400, 'The request body ended early'));
    const timer = setTimeout(() => finish(clientError(408, `The request body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    payload.on('data', onData).on('end', onEnd).on('error', onClose).on('close', onClose);
  });
}

// Replaces fastify's application/json parser; the JSON itself is still parsed by fastify's default
// parser (secure-json-parse: __proto__ and constructor.prototype keys refused).
export function registerJsonBodyParser(fastify: FastifyInstance, limits: BodyLimits): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    void readBody(payload, request.headers['content-length'], limits, () => request.routeOptions.bodyLimit ?? limits.maxBytes).then(
      (body) => {
        if (!isUtf8(body)) return done(clientError(400, 'Body is not valid JSON: it is not UTF-8'), undefined);
        void parseJson(request, body.toString('utf8'), done);
      },
      (err: Error) => done(err, undefined),
    );
  });
}
