import { IncomingMessage, ServerResponse } from 'http';
import { ClsServiceManager } from 'nestjs-cls';
import { Params } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { CORRELATION_HEADER } from '../context/correlation-id';
import { REDACTED_PATHS, serializeError } from './log-redaction';

// Outside an HTTP request (Kafka handlers, the outbox relay) the correlation id comes from CLS;
// inside one, pino-http already binds it as correlation_id.
function correlationMixin(): Record<string, unknown> {
  if (storage.getStore()) return {};
  const cls = ClsServiceManager.getClsService();
  const id = cls.isActive() ? cls.getId() : undefined;
  return id ? { correlation_id: id } : {};
}

export function buildLoggerParams(level: string, service: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'message',
      mixin: correlationMixin,
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      genReqId: (req: IncomingMessage) => String(req.headers[CORRELATION_HEADER] ?? ''),
      customAttributeKeys: { reqId: 'correlation_id' },
      quietReqLogger: true,
      // Reads are the hot path and a 404 there is an ordinary answer: GETs log at debug unless they
      // fail on our side; writes log at info, rejected writes at warn.
      customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) => {
        // 503 is a deliberate "not now" (unready dependency, overload), not a defect.
        if (res.statusCode === 503) return 'warn';
        if (err || res.statusCode >= 500) return 'error';
        if (req.method === 'GET' || req.method === 'HEAD') return 'debug';
        return res.statusCode >= 400 ? 'warn' : 'info';
      },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
        err: serializeError,
      },
      // Credentials never reach a log line, whichever object carries the headers (log-redaction.ts).
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    },
  };
}
