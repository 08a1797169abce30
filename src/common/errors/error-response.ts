import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, ErrorDetail } from './domain.error';
import { isInfrastructureFailure } from './infrastructure-failure';

export interface ErrorBody {
  error: string;
  message: string;
  details?: ErrorDetail[];
  correlation_id: string | null;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody | Record<string, unknown>;
  headers: Record<string, string>;
  unexpected: boolean;
  // A backing store failed: an operational condition, logged as a throttled warning, not a defect.
  storeDown?: boolean;
}

const EXACT_STATUS: Record<string, number> = {
  'VALIDATION.FAILED': HttpStatus.BAD_REQUEST,
  'WEBHOOK.LIMIT_REACHED': HttpStatus.CONFLICT,
  'ROUTE.LAST_ACTIVE_VERSION': HttpStatus.CONFLICT,
  'ROUTE.MASS_DEACTIVATION': HttpStatus.CONFLICT,
  'AUTH.UNAUTHENTICATED': HttpStatus.UNAUTHORIZED,
  'AUTH.FORBIDDEN': HttpStatus.FORBIDDEN,
  'REQUEST.RATE_LIMITED': HttpStatus.TOO_MANY_REQUESTS,
  'DEPENDENCY.UNAVAILABLE': HttpStatus.SERVICE_UNAVAILABLE,
  'SERVER.SHUTTING_DOWN': HttpStatus.SERVICE_UNAVAILABLE,
  'SERVICE.OVERLOADED': HttpStatus.SERVICE_UNAVAILABLE,
  'SERVICE.DRAINING': HttpStatus.SERVICE_UNAVAILABLE,
  'RESILIENCE.CIRCUIT_OPEN': HttpStatus.SERVICE_UNAVAILABLE,
};

// By the reason's last words: THING.NOT_FOUND and THING.REVISION_CONFLICT alike.
const SUFFIX_STATUS: Array<[RegExp, number]> = [
  [/[._]NOT_FOUND$/, HttpStatus.NOT_FOUND],
  [/[._]CONFLICT$/, HttpStatus.CONFLICT],
  [/[._]ALREADY_EXISTS$/, HttpStatus.CONFLICT],
  [/[._]PRECONDITION_FAILED$/, HttpStatus.PRECONDITION_FAILED],
  [/[._]INVALID$/, HttpStatus.BAD_REQUEST],
  [/[._]UNAVAILABLE$/, HttpStatus.SERVICE_UNAVAILABLE],
];

const HTTP_CODES: Record<number, [string, string]> = {
  400: ['REQUEST.INVALID', 'The request is invalid'],
  403: ['HTTP.FORBIDDEN', 'Access to this path is not allowed'],
  404: ['HTTP.NOT_FOUND', 'The requested endpoint does not exist'],
  405: ['HTTP.METHOD_NOT_ALLOWED', 'The HTTP method is not allowed for this endpoint'],
  406: ['HTTP.NOT_ACCEPTABLE', 'The requested representation is not available'],
  408: ['REQUEST.TIMEOUT', 'The request was not received completely in time'],
  413: ['REQUEST.TOO_LARGE', 'The request body is too large'],
  414: ['REQUEST.URI_TOO_LONG', 'A path segment is longer than allowed'],
  415: ['REQUEST.UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json'],
  416: ['HTTP.RANGE_NOT_SATISFIABLE', 'The requested range is not available'],
  429: ['REQUEST.RATE_LIMITED', 'Too many requests'],
};

function statusForCode(code: string): number {
  if (EXACT_STATUS[code]) return EXACT_STATUS[code];
  const match = SUFFIX_STATUS.find(([suffix]) => suffix.test(code));
  return match ? match[1] : HttpStatus.INTERNAL_SERVER_ERROR;
}

// Fastify rejects some requests before any of our code runs (Nest rethrows them as HttpException
// with fastify's message); these keep one stable code per kind of client mistake.
function fromClientError(status: number, message: string): [number, string, string] {
  if (status === 400 && /json/i.test(message)) return [400, 'REQUEST.MALFORMED_JSON', message];
  const [code, fallback] = HTTP_CODES[status] ?? ['REQUEST.INVALID', 'The request is invalid'];
  return [status, code, status === 400 ? message || fallback : fallback];
}

export function toErrorResponse(err: unknown, correlationId: string | null): ErrorResponse {
  const headers: Record<string, string> = {};
  const build = (status: number, error: string, message: string, details?: ErrorDetail[]) => {
    if (status === 503) headers['Retry-After'] = '1';
    const body: ErrorBody = { error, message, ...(details ? { details } : {}), correlation_id: correlationId };
    return { status, body, headers, unexpected: status >= 500 && !(err instanceof DomainError) };
  };

  if (err instanceof DomainError) {
    const response = build(statusForCode(err.code), err.code, err.message, err.details);
    // RFC 9110 §15.5.2: a 401 names the scheme that would be accepted.
    if (response.status === HttpStatus.UNAUTHORIZED) headers['WWW-Authenticate'] = 'Bearer';
    return err.context ? { ...response, body: { ...err.context, ...response.body } } : response;
  }
  if (err instanceof HttpException && err.getStatus() < 500) return build(...fromClientError(err.getStatus(), err.message));
  if (err instanceof HttpException && err.getStatus() === 503) {
    // Terminus reports an unready dependency as 503 with its per-check details: keep them.
    const report = err.getResponse();
    if (typeof report === 'object' && report !== null && 'details' in report) {
      return { status: 503, body: { ...report, correlation_id: correlationId }, headers: { 'Retry-After': '5' }, unexpected: false };
    }
  }
  if (err && typeof err === 'object') {
    const { statusCode, message } = err as { statusCode?: unknown; message?: string };
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return build(...fromClientError(statusCode, message ?? ''));
    }
    if (isInfrastructureFailure(err)) {
      return { ...build(503, 'DEPENDENCY.UNAVAILABLE', 'A backing store is unavailable; please retry shortly'), unexpected: false, storeDown: true };
    }
  }
  return build(500, 'INTERNAL.ERROR', 'An unexpected error occurred');
}
