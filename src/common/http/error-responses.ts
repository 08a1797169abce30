import { HeadersObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorBody } from '../errors/error-response';
import { RouteKey } from '../../contracts/route-key';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 429 | 503;

export interface ErrorDoc {
  description: string;
  // ROUTE.NOT_FOUND also names the route it looked for (as the seed did); a 412 its current revision.
  example: ErrorBody & Partial<RouteKey> & { current_revision?: number | null; oldest_revision?: number | null };
  headers?: HeadersObject;
}

const ERROR_SCHEMA_REF = '#/components/schemas/ErrorResponseDto';

export const EXAMPLE_CORRELATION_ID = '5f0c7a4e-2b1d-4a55-9a0e-3c1f7d9b8e21';
const seconds = (description: string) => ({ description, schema: { type: 'integer' as const, minimum: 0, example: 1 } });
const RETRY_AFTER: HeadersObject = { 'Retry-After': seconds('Seconds to wait before retrying') };

// One description and one example per status, shared by @ApiErrors, the raw Fastify routes and the
// document-wide policy, so every operation describes the same error the same way.
const ERRORS: Record<ErrorStatus, ErrorDoc> = {
  400: {
    description: 'VALIDATION.FAILED (with details), REQUEST.MALFORMED_JSON or REQUEST.INVALID',
    example: {
      error: 'VALIDATION.FAILED',
      message: 'Invalid request: tenant is required',
      details: [{ field: 'tenant', problem: 'is required' }],
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
  },
  401: {
    description: 'AUTH.UNAUTHENTICATED: no API key, or one that is unknown, expired or revoked',
    example: {
      error: 'AUTH.UNAUTHENTICATED',
      message: 'A valid API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
  },
  403: {
    description:
      "AUTH.FORBIDDEN: the key's role is too weak (reader: resolve, reads, audit; writer: + route changes; admin: + keys), " +
      'or a key bound to one tenant asks for more (a view of every tenant, a key for another tenant)',
    example: { error: 'AUTH.FORBIDDEN', message: 'This operation needs the writer role; the key has reader', correlation_id: EXAMPLE_CORRELATION_ID },
  },
  404: {
    description:
      "ROUTE.NOT_FOUND (KEY.NOT_FOUND for keys): it does not exist, or it is outside the key's tenant (the same answer on purpose); " +
      'ROUTE.REVISION_NOT_FOUND: a rollback names a revision the route does not keep (current_revision, oldest_revision)',
    example: {
      error: 'ROUTE.NOT_FOUND',
      message: 'No route found for team-a/payments/prod/v2',
      tenant: 'team-a',
      service: 'payments',
      env: 'prod',
      version: 'v2',
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
  },
  409: {
    description: 'ROUTE.REVISION_CONFLICT: X-Min-Revision names a revision of the route that has not been committed',
    example: {
      error: 'ROUTE.REVISION_CONFLICT',
      message: 'team-a/payments/prod/v2 is at revision 3; revision 5 has not been committed',
      tenant: 'team-a',
      service: 'payments',
      env: 'prod',
      version: 'v2',
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
  },
  412: {
    description:
      'ROUTE.PRECONDITION_FAILED: a conditional write (If-Match, If-None-Match: * or expected_revision) found the route at ' +
      'another revision (current_revision; null when it does not exist); nothing was written',
    example: {
      error: 'ROUTE.PRECONDITION_FAILED',
      message: 'team-a/payments/prod/v2 is at revision 4; the change required revision 3',
      tenant: 'team-a',
      service: 'payments',
      env: 'prod',
      version: 'v2',
      current_revision: 4,
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
  },
  413: {
    description: 'REQUEST.TOO_LARGE: body over 16 KiB',
    example: { error: 'REQUEST.TOO_LARGE', message: 'The request body is too large', correlation_id: EXAMPLE_CORRELATION_ID },
  },
  415: {
    description: 'REQUEST.UNSUPPORTED_MEDIA_TYPE: body is not application/json',
    example: {
      error: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be application/json',
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
  },
  429: {
    description: "REQUEST.RATE_LIMITED: the tenant's read or write limit is used up; retry after Retry-After",
    example: {
      error: 'REQUEST.RATE_LIMITED',
      message: 'Too many writes for tenant team-a: at most 100 per 60 s; retry after 1 s (Retry-After)',
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
    headers: {
      ...RETRY_AFTER,
      'X-RateLimit-Limit': { description: 'Requests allowed per window (reads or writes of this tenant)', schema: { type: 'integer', example: 100 } },
      'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer', example: 0 } },
      'X-RateLimit-Reset': seconds('Seconds until the current window ends'),
    },
  },
  503: {
    description:
      'DEPENDENCY.UNAVAILABLE, RESILIENCE.CIRCUIT_OPEN, SERVICE.OVERLOADED, SERVICE.DRAINING or SERVER.SHUTTING_DOWN: retry after Retry-After',
    example: {
      error: 'DEPENDENCY.UNAVAILABLE',
      message: 'A backing store is unavailable; please retry shortly',
      correlation_id: EXAMPLE_CORRELATION_ID,
    },
    headers: RETRY_AFTER,
  },
};

export function errorDoc(status: ErrorStatus): ErrorDoc {
  return ERRORS[status];
}

export type Narrower = Pick<ErrorDoc, 'description'> & Partial<Pick<ErrorDoc, 'example'>>;

// The OpenAPI response object of an error, for documents written by hand (raw routes, the policy);
// a narrower description (and its example) where an operation can give only some of the codes.
export function errorResponse(status: ErrorStatus, narrower?: Narrower): ResponseObject {
  const { description, example, headers } = { ...ERRORS[status], ...narrower };
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF }, example } },
  };
}
