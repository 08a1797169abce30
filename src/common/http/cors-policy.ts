import fastifyCors, { FastifyCorsOptions } from '@fastify/cors';
import { FastifyInstance, FastifyRequest } from 'fastify';

// Keys travel in headers, never in cookies, so credentials are never allowed; and origins are exact
// (no wildcard, no pattern), so a page can only call the API from an origin the operator listed.
const ALLOWED_HEADERS = ['Authorization', 'X-API-Key', 'X-Correlation-ID', 'Content-Type', 'If-Match', 'If-None-Match', 'X-Min-Revision', 'Prefer'];
const EXPOSED_HEADERS = [
  'X-Correlation-ID',
  'Retry-After',
  'X-Cache-Fallback',
  'ETag',
  'Preference-Applied',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface CorsSettings {
  corsOrigins: string[];
  corsMaxAgeSeconds: number;
}

// A preflight is an OPTIONS request with Origin and Access-Control-Request-Method. Any other OPTIONS
// request is not answered by CORS: it reaches the router and gets the usual JSON 405 with Allow
// (@fastify/cors would otherwise answer it with a text/plain 400 or an empty 204).
function isPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined;
}

// Registered after http-setup's onRequest hook, so a preflight carries X-Correlation-ID too.
// Nothing is registered when no origin is configured: no hook, no cost per request.
export function registerCors(fastify: FastifyInstance, settings: CorsSettings): void {
  if (settings.corsOrigins.length === 0) return;
  const base: FastifyCorsOptions = {
    origin: settings.corsOrigins,
    methods: METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: settings.corsMaxAgeSeconds,
    strictPreflight: false,
  };
  const allowed = new Set(settings.corsOrigins);
  const preflight = { ...base, preflight: true };
  const other = { ...base, preflight: false };
  // Requests from servers (no Origin) and from origins not listed get no CORS headers but Vary.
  const refused = { ...base, origin: false, preflight: false };
  void fastify.register(fastifyCors, {
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return callback(null, refused);
      callback(null, isPreflight(request) ? preflight : other);
    },
  });
}
