import { Type } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { errorResponse, EXAMPLE_CORRELATION_ID } from './error-responses';
import { API_KEY_SCHEME, BEARER_SCHEME } from './openapi-policy';

interface RawRouteDoc {
  path: string;
  method: 'get' | 'post';
  operation: OperationObject;
  models: Type<unknown>[];
}

const documented: RawRouteDoc[] = [];

// Routes served by a plain Fastify handler (the hot path) are not Nest controllers, so Swagger cannot
// see them; their modules describe them here, when their file is loaded (so a document can be built
// without starting anything, scripts/openapi.ts), and the document builder merges them in.
export function documentRawRoute(doc: RawRouteDoc): void {
  if (!documented.some((d) => d.path === doc.path && d.method === doc.method)) documented.push(doc);
}

export function rawRouteModels(): Type<unknown>[] {
  return documented.flatMap((d) => d.models);
}

export function addRawRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const { path, method, operation } of documented) {
    document.paths[path] = { ...(document.paths[path] ?? {}), [method]: operation };
  }
  return document;
}

// Controllers that come from libraries carry none of our descriptions; they are completed here when
// they are part of the document.
const LIBRARY_OPERATIONS: Record<string, Partial<OperationObject>> = {
  '/metrics': {
    tags: ['metrics'],
    summary: 'Prometheus metrics of this process',
    description:
      "Prometheus' text exposition format (metric names are the seed's). Open with METRICS_AUTH=open (the default in " +
      'development); with METRICS_AUTH=key (the default elsewhere) it needs a platform key of any role.',
    // `{}`: no key at all is one of the alternatives, since whether one is needed is configuration.
    security: [{}, { [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }],
    responses: {
      200: {
        description: 'The current value of every metric',
        content: { 'text/plain': { schema: { type: 'string', example: 'resolve_requests_total 42\n' } } },
      },
      401: errorResponse(401, { description: 'AUTH.UNAUTHENTICATED: with METRICS_AUTH=key, no valid API key' }),
      403: errorResponse(403, {
        description: 'AUTH.FORBIDDEN: with METRICS_AUTH=key, a key bound to one tenant (the metrics show every tenant)',
        example: {
          error: 'AUTH.FORBIDDEN',
          message: 'This endpoint shows every tenant: it needs a platform key (one not bound to a tenant)',
          correlation_id: EXAMPLE_CORRELATION_ID,
        },
      }),
    },
  },
};

export function describeLibraryRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const [path, description] of Object.entries(LIBRARY_OPERATIONS)) {
    const operation = document.paths[path]?.get;
    if (operation) Object.assign(operation, description);
  }
  return document;
}
