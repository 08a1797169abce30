import { IncomingMessage, ServerResponse } from 'http';
import pino, { DestinationStream } from 'pino';
import { ClsServiceManager } from 'nestjs-cls';
import { Params } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { CORRELATION_HEADER } from '../context/correlation-id';
import { REDACTED_PATHS, redactRequestUrl, serializeError } from './log-redaction';

// Every line carries the correlation id of the request or Kafka message it belongs to, read from
// CLS only when a line is actually written: no per-request child logger (pino-http's costs more per
// request than a whole bare Fastify request here).
function correlationMixin(merge: object): Record<string, unknown> {
  if (storage.getStore() || 'correlation_id' in merge) return {};
  const cls = ClsServiceManager.getClsService();
  const id = cls.isActive() ? cls.getId() : undefined;
  return id ? { correlation_id: id } : {};
}

// Reads are the hot path and a 404 there is an ordinary answer: GETs log at debug unless they fail on
// our side; writes log at info, rejected writes at warn; 503 is a deliberate "not now" (unready
// dependency, overload), not a defect.
export function requestLogLevel(method: string, statusCode: number): 'debug' | 'info' | 'warn' | 'error' {
  if (statusCode === 503) return 'warn';
  if (statusCode >= 500) return 'error';
  if (method === 'GET' || method === 'HEAD') return 'debug';
  return statusCode >= 400 ? 'warn' : 'info';
}

// Where the lines go: standard output, gathered and written together. pino's default destination
// writes each line with its own write call as it comes; a write took ~4 % of the API's CPU under the
// write load (a line per change). Lines wait at most `flushIntervalMs` (or until 4 KB are gathered);
// they are written synchronously when the process exits, so a crash that exits loses nothing, and only
// a process killed outright (SIGKILL, the OOM killer) can lose the last interval's lines.
// One destination per process and interval: every app built in one process (the tests build many)
// shares it, so no flush timer is left behind by an app that was closed.
const destinations = new Map<string, DestinationStream>();
const LOG_BUFFER_BYTES = 4096;

export function logDestination(flushIntervalMs: number, dest: number | string = 1): DestinationStream {
  const key = `${dest}:${flushIntervalMs}`;
  let destination = destinations.get(key);
  if (!destination) {
    destination = pino.destination({
      dest,
      sync: false,
      minLength: flushIntervalMs > 0 ? LOG_BUFFER_BYTES : 0,
      periodicFlush: flushIntervalMs,
    });
    destinations.set(key, destination);
  }
  return destination;
}

export function buildLoggerParams(level: string, service: string, flushIntervalMs = 0): Params {
  return {
    pinoHttp: [
      {
        level,
        base: { service },
        messageKey: 'message',
        mixin: correlationMixin,
        timestamp: () => `,"time":"${new Date().toISOString()}"`,
        genReqId: (req: IncomingMessage) => String(req.headers[CORRELATION_HEADER] ?? ''),
        customAttributeKeys: { reqId: 'correlation_id' },
        quietReqLogger: true,
        customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) =>
          err ? 'error' : requestLogLevel(req.method ?? 'GET', res.statusCode),
        serializers: {
          req: (req: { method: string; url: string }) => ({ method: req.method, url: redactRequestUrl(req.url) }),
          res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
          err: serializeError,
        },
        // Credentials never reach a log line, whichever object carries the headers (log-redaction.ts).
        redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      },
      logDestination(flushIntervalMs),
    ],
    // pino-http is not mounted as middleware (it would run through @fastify/middie and build a child
    // logger per request); the request line is written by the onResponse hook in http-setup.ts.
    forRoutes: [],
  };
}
