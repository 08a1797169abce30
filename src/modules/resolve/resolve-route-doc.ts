import { OperationObject, ParameterObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CORRELATION_HEADER_DOC } from '../../common/http/api-errors.decorator';
import { errorResponse } from '../../common/http/error-responses';
import { ROUTE_NAME_PATTERN } from '../../common/validation/route-name.decorator';

// A route-name query parameter (resolve's four, the watch stream's filters).
export const nameParam = (name: string, example: string, description: string, required = true): ParameterObject => ({
  name,
  in: 'query',
  required,
  description,
  schema: { type: 'string', pattern: ROUTE_NAME_PATTERN.source, minLength: 1, maxLength: 128, example },
});

const PREFERENCE_APPLIED_HEADER = {
  description: 'wait=<seconds> when the answer was held as a long-poll (Prefer: wait); absent when it was answered at once',
  schema: { type: 'string', example: 'wait=30' },
};

const ETAG_HEADER = {
  description: 'The route\'s revision as a weak entity tag, e.g. W/"3"; send it back in If-None-Match to poll for a change',
  schema: { type: 'string' },
};

// The OpenAPI description of GET /api/v1/routes/resolve, a plain Fastify route (resolve-route.ts).
// Security and the errors every /api/v1 operation shares are added by the document policy.
export const RESOLVE_OPERATION: OperationObject = {
  tags: ['resolve'],
  summary: 'Where is tenant/service/env/version?',
  description: "Answers from the in-process or Redis cache when it can; 404 when the route is missing, inactive or outside the key's tenant.",
  operationId: 'ResolveRoute_resolve',
  parameters: [
    nameParam('tenant', 'team-a', 'Tenant name'),
    nameParam('service', 'payments', 'Service name'),
    nameParam('env', 'prod', 'Environment name'),
    nameParam('version', 'v2', 'Version label'),
    { ...CORRELATION_HEADER_DOC, in: 'header', schema: { type: 'string' } },
    {
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: 'The ETag of an earlier answer (or "*"): 304 with no body while the route is still at that revision',
      schema: { type: 'string', example: 'W/"3"' },
    },
    {
      name: 'X-Min-Revision',
      in: 'header',
      required: false,
      description:
        'Read-your-writes: answer with this revision of the route or a later one (the revision a write returned), ' +
        'from PostgreSQL if this instance has not seen it yet; 409 if it was never committed',
      schema: { type: 'integer', minimum: 0, maximum: 2147483647, example: 3 },
    },
    {
      name: 'Prefer',
      in: 'header',
      required: false,
      description:
        'Long-poll, with If-None-Match: wait=<seconds> (0-50) holds the 304 until the route changes (then 200 with the new ' +
        'state, or 404 once deactivated) or the time is over (304). Other preferences are ignored; without If-None-Match, so is wait',
      schema: { type: 'string', example: 'wait=30' },
    },
  ],
  responses: {
    200: {
      description: 'The endpoint URL of the active route',
      headers: {
        ETag: ETAG_HEADER,
        'Preference-Applied': PREFERENCE_APPLIED_HEADER,
        'X-Cache-Fallback': {
          description: '"true" when PostgreSQL could not be asked and the answer is this instance\'s last known value',
          schema: { type: 'string', enum: ['true'] },
        },
      },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ResolvedRouteResponseDto' } } },
    },
    304: {
      description: 'Not modified: the route is still at the revision If-None-Match named (after the wait, for a long-poll)',
      headers: { ETag: ETAG_HEADER, 'Preference-Applied': PREFERENCE_APPLIED_HEADER },
    },
    400: errorResponse(400),
    404: errorResponse(404),
    409: errorResponse(409),
    503: errorResponse(503),
  },
};
