import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'pino';
import { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { IncomingMessage, Server, ServerOptions } from 'http';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { getToken } from '@willsoto/nestjs-prometheus';
import { PinoLogger } from 'nestjs-pino';
import { Counter, Histogram } from 'prom-client';
import { HttpConfig } from '../../config/http.config';
import { MissingHostError, ShuttingDownError } from '../errors/common.errors';
import { acceptCorrelationId, CORRELATION_HEADER } from '../context/correlation-id';
import { isDeferredContextUrl, startRequestContext } from '../context/request-context';
import { sendError } from '../filters/http-error.filter';
import { redactRequestUrl } from '../logging/log-redaction';
import { requestLogLevel } from '../logging/logging.options';
import { boundCounter, boundHistogram, Increment, Observe } from '../metrics/bound-series';
import { METRIC } from '../metrics/metric-names';
import { answerConnect, answerExpectation, handleClientError } from './client-errors';
import { registerCors } from './cors-policy';
import { registerJsonBodyParser } from './json-body-parser';
import { MethodRegistry } from './method-registry';
import { API_SECURITY_HEADERS, DOCS_PATH, securityHeadersFor } from './security-headers';

export const BODY_LIMIT_BYTES = 16 * 1024;

const providedIds = new WeakSet<object>();

// Node checks the headers and request timeouts on this interval (default 30 s, which would let a
// stalled request live up to 30 s past its timeout).
const TIMEOUT_CHECK_INTERVAL_MS = 500;

const logger = new NestLogger('Http');

const DOCS_UI_WITH_SLASH = `${DOCS_PATH}/`;

// "/docs/" or "/docs/?<query>", not an asset under /docs/.
function isDocsUiWithSlash(url: string): boolean {
  return url.length === DOCS_UI_WITH_SLASH.length || url.charCodeAt(DOCS_UI_WITH_SLASH.length) === 63; // '?'
}

export function createFastifyAdapter(timeouts: HttpConfig): FastifyAdapter {
  const options: FastifyServerOptions<Server> & { http: ServerOptions; skipMiddie: boolean } = {
    bodyLimit: BODY_LIMIT_BYTES,
    // docs/design.md explains each timeout; all are enforced by Node below fastify, per connection.
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      // Node would answer a missing Host with an empty 400; the onRequest hook answers it instead.
      requireHostHeader: false,
    },
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    clientErrorHandler: handleClientError,
    // Fastify's own 503 while closing is outside the error contract; the onRequest hook answers it.
    return503OnClosing: false,
    // No Nest middleware is mounted (CLS starts in the onRequest hook below), so @fastify/middie and
    // its per-request hook are not registered at all; mounting middleware would now fail at start.
    skipMiddie: true,
    routerOptions: { maxParamLength: 256, ignoreTrailingSlash: true },
    // fastify's request id is the correlation id, so pino-http, CLS and our error bodies agree.
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => {
      const { id, provided } = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
      if (provided) providedIds.add(req);
      return id;
    },
    // Malformed URLs and over-long path parameters are rejected before routing; same JSON shape.
    // No onRequest hook runs for them, so they get the API's security headers here.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply.headers(API_SECURITY_HEADERS);
      sendError(reply, request, error, logger);
    },
  };
  const adapter = new FastifyAdapter(options);
  const fastify = adapter.getInstance();

  MethodRegistry.attach(fastify);
  // Set by authentication on every API request (contracts/principal.ts); declared up front so every
  // request object has the same shape from its construction (fastify's advice for such properties).
  fastify.decorateRequest('principal', undefined);
  // Only JSON bodies are accepted; fastify's built-in text/plain parser would let strings through.
  fastify.removeContentTypeParser('text/plain');
  registerJsonBodyParser(fastify, { maxBytes: BODY_LIMIT_BYTES, timeoutMs: timeouts.bodyTimeoutMs });
  fastify.server.on('checkExpectation', answerExpectation);
  fastify.server.on('connect', answerConnect);

  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // The adapter's own request-hook slot (AbstractHttpAdapter.setOnRequestHook): Nest already runs
  // an onRequest hook that calls it, so this costs no extra trip through fastify's hook runner; it
  // runs before Nest's other onRequest hooks, which then run inside the request context.
  adapter.setOnRequestHook((request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    request.headers[CORRELATION_HEADER] = request.id;
    void reply.header(CORRELATION_HEADER, request.id);
    // Only a /docs route gets the document set; the raw URL rules out every other request without
    // building the route options object (fastify allocates one per access).
    void reply.headers(request.url.startsWith(DOCS_PATH) ? securityHeadersFor(request.routeOptions.url) : API_SECURITY_HEADERS);
    if (closing) return sendError(reply, request, new ShuttingDownError(), logger);
    // Swagger UI's page links its assets relative to /docs ("./docs/swagger-ui.css"); served at
    // /docs/ (the router ignores the trailing slash) they would resolve under /docs/docs/ and the page
    // would stay blank, so /docs/ is redirected to /docs.
    if (request.url.startsWith(DOCS_UI_WITH_SLASH) && isDocsUiWithSlash(request.url)) {
      return void reply.redirect(`${DOCS_PATH}${request.url.slice(DOCS_UI_WITH_SLASH.length)}`, 301);
    }
    // HTTP/1.1 requires Host (RFC 9112 §3.2); HTTP/1.0 clients may omit it.
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      return sendError(reply, request, new MissingHostError(), logger);
    }
    // The request context (correlation id for logs and outbox events) is started here, in the hook
    // that runs anyway, instead of by middleware through @fastify/middie; a route that starts it only
    // when it needs it (resolve) is let through without (request-context.ts).
    if (isDeferredContextUrl(request.url)) return done();
    startRequestContext(request, done);
  });
  registerCors(fastify, timeouts);
  return adapter;
}

export function instrumentHttp(app: NestFastifyApplication): void {
  const metric = <T>(name: string) => app.get<T>(getToken(name));
  const generated = metric<Counter<string>>(METRIC.correlationIdsGenerated);
  const provided = metric<Counter<string>>(METRIC.correlationIdsProvided);
  const requests = metric<Counter<string>>(METRIC.apiRequests);
  const duration = metric<Histogram<string>>(METRIC.apiRequestDuration);
  // Label sets are bound once per (method, route, status) instead of hashed on every request.
  const countGenerated = boundCounter(generated);
  const countProvided = boundCounter(provided);
  // Found by route, then method, then status, without building a string per request (the route
  // pattern is the same string object on every request of that route, so its hash is cached).
  type Series = { count: Increment; time: Observe };
  const bound = new Map<string, Map<string, Map<number, Series>>>();
  const series = (method: string, endpoint: string, status: number): Series => {
    let byMethod = bound.get(endpoint);
    if (!byMethod) bound.set(endpoint, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let pair = byStatus.get(status);
    if (!pair) {
      pair = {
        count: boundCounter(requests, { method, endpoint, status_code: String(status) }),
        time: boundHistogram(duration, { method, endpoint }),
      };
      byStatus.set(status, pair);
    }
    return pair;
  };

  // Route pattern, not raw path, as the label: bounded cardinality (the seed used raw 404 paths).
  // Through the adapter's response-hook slot, like the request hook (createFastifyAdapter).
  (app.getHttpAdapter() as FastifyAdapter).setOnResponseHook((request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (providedIds.has(request.raw)) countProvided();
    else countGenerated();
    const seconds = reply.elapsedTime / 1000;
    const { count, time } = series(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
    count();
    time(seconds);
    logRequest(request, reply.statusCode, seconds);
    done();
  });
}

// The request line holds no headers and its URL goes through redactRequestUrl, so it is written by a
// child logger without the header redaction paths (log-redaction.ts). With them, pino's redaction
// (@pinojs/redact 0.4) parsed each of the 66 paths again on every line: ~40 KB of garbage per line,
// a fifth of all a write allocated. Every other line keeps them.
let requestLog: { root: Logger; child: Logger } | undefined;
function requestLogger(): Logger | undefined {
  const root = PinoLogger.root as Logger | undefined;
  if (!root) return undefined;
  if (requestLog?.root !== root) requestLog = { root, child: root.child({}, { redact: [] }) };
  return requestLog.child;
}

// One line per request at the level requestLogLevel() gives, built only when that level is enabled.
function logRequest(request: FastifyRequest, statusCode: number, seconds: number): void {
  const level = requestLogLevel(request.method, statusCode);
  const log = requestLogger();
  if (!log?.isLevelEnabled(level)) return;
  log[level](
    {
      correlation_id: request.id,
      req: { method: request.method, url: redactRequestUrl(request.url) },
      // Not under `res`: pino-http's wrapped res serializer expects a raw ServerResponse.
      status_code: statusCode,
      response_time: Math.round(seconds * 1e6) / 1e3,
    },
    'request completed',
  );
}
