import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER } from '../context/correlation-id';
import { toErrorResponse } from '../errors/error-response';
import { MethodRegistry } from '../http/method-registry';
import { redactRequestUrl } from '../logging/log-redaction';
import { ThrottledLog } from '../logging/throttled-log';

const CLOSE_CONNECTION = new Set([408, 413]);
const storeDownLog = new ThrottledLog(new Logger('HttpError'));

// The one place HTTP statuses are decided. Every error body is JSON with a stable `error` code, a
// message and the correlation id; unexpected failures are logged once with their stack.
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    sendError(reply, request, exception, this.logger);
  }
}

export function sendError(reply: FastifyReply, request: FastifyRequest, exception: unknown, logger: Logger): void {
  // request.id is the correlation id (genReqId); set even when fastify rejects before any hook ran.
  const correlationId = String(request.headers[CORRELATION_HEADER] ?? request.id ?? '') || null;
  let response = toErrorResponse(exception, correlationId);
  // A path that exists for other methods is a 405; one whose own method is allowed (a missing file
  // under a wildcard route such as /docs/*) stays a 404.
  if (response.status === 404 && response.body.error === 'HTTP.NOT_FOUND') {
    const allowed = MethodRegistry.allowedMethods(request);
    if (allowed.length && !allowed.includes(request.method)) {
      response = toErrorResponse({ statusCode: 405 }, correlationId);
      response.headers['Allow'] = allowed.join(', ');
    }
  }
  if (response.unexpected) {
    logger.error({ err: exception, message: `${request.method} ${redactRequestUrl(request.url)} failed` });
  } else if (response.storeDown) {
    storeDownLog.warn(`${(exception as Error).name}`, `A backing store is unavailable (${(exception as Error).message}); answering 503`);
  }
  void reply
    .status(response.status)
    .headers({
      ...response.headers,
      ...(correlationId ? { 'X-Correlation-ID': correlationId } : {}),
      'content-type': 'application/json; charset=utf-8',
      // The rest of an unread or timed-out body must not be read as the next request.
      ...(CLOSE_CONNECTION.has(response.status) ? { connection: 'close' } : {}),
    })
    .send(JSON.stringify(response.body));
}
