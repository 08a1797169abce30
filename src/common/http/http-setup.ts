import { Logger } from '@nestjs/common';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { IncomingMessage } from 'http';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { acceptCorrelationId, CORRELATION_HEADER } from '../context/correlation-id';
import { sendError } from '../filters/http-error.filter';
import { METRIC } from '../metrics/metric-names';
import { MethodRegistry } from './method-registry';

export const BODY_LIMIT_BYTES = 16 * 1024;

const providedIds = new WeakSet<object>();

export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 256, ignoreTrailingSlash: true },
    // fastify's request id is the correlation id, so pino-http, CLS and our error bodies agree.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const { id, provided } = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
      if (provided) providedIds.add(req);
      return id;
    },
    // Malformed URLs and over-long path parameters are rejected before routing; same JSON shape.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => sendError(reply, request, error, new Logger('Http')),
  });
  const fastify = adapter.getInstance();

  MethodRegistry.attach(fastify);
  // Only JSON bodies are accepted; fastify's built-in text/plain parser would let strings through.
  fastify.removeContentTypeParser('text/plain');

  fastify.addHook('onRequest', (request, reply, done) => {
    request.headers[CORRELATION_HEADER] = request.id;
    void reply.header('X-Correlation-ID', request.id);
    done();
  });
  return adapter;
}

export function instrumentHttp(app: NestFastifyApplication): void {
  const metric = <T>(name: string) => app.get<T>(getToken(name));
  const generated = metric<Counter<string>>(METRIC.correlationIdsGenerated);
  const provided = metric<Counter<string>>(METRIC.correlationIdsProvided);
  const requests = metric<Counter<string>>(METRIC.apiRequests);
  const duration = metric<Histogram<string>>(METRIC.apiRequestDuration);

  // Route pattern, not raw path, as the label: bounded cardinality (the seed used raw 404 paths).
  app.getHttpAdapter().getInstance().addHook('onResponse', (request, reply, done) => {
    (providedIds.has(request.raw) ? provided : generated).inc();
    const endpoint = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, endpoint, status_code: String(reply.statusCode) });
    duration.observe({ method: request.method, endpoint }, reply.elapsedTime / 1000);
    done();
  });
}
