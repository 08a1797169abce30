import { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CORRELATION_HEADER_DOC } from '../../common/http/api-errors.decorator';
import { errorResponse } from '../../common/http/error-responses';

const json = (model: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${model}` } } });
const route = (description: string): ResponseObject => ({ description, content: json('RouteResponseDto') });

// The errors a write's own input can cause (what @ApiErrors(400, 404, 413, 415, 503) gave the Nest
// handlers these replaced, and 412 for conditional writes); 401, 403, 429 and the shutting-down 503
// are added by the document policy.
const ERRORS = {
  400: errorResponse(400),
  404: errorResponse(404),
  412: errorResponse(412),
  413: errorResponse(413),
  415: errorResponse(415),
  503: errorResponse(503),
};

// Deactivations (a deactivate, a rollback to an inactive revision, a changeset) may meet the
// tenant's write-time interlock.
const LAST_ACTIVE_VERSION = errorResponse(409, {
  description:
    'A write-time interlock of the tenant (PUT /api/v1/tenants/{tenant}/safety) refused the change; nothing was written. ' +
    'ROUTE.LAST_ACTIVE_VERSION: it would leave the environment with no active version; activate another version first, or ' +
    'send "force": true with a "reason". ROUTE.MASS_DEACTIVATION: more of the tenant would be deactivated within its window ' +
    'than its limit allows (deactivated, active, max_percent, window_minutes, min_count); schedule it with ' +
    '"approvals_required": 1 and have another key approve it (force does not override this one)',
  example: {
    error: 'ROUTE.LAST_ACTIVE_VERSION',
    message:
      'Deactivating team-a/payments/prod/v2 would leave team-a/payments/prod with no active version, and tenant team-a protects ' +
      'its last active versions. Activate another version first (a changeset may do both), or send "force": true with a "reason"',
    tenant: 'team-a',
    service: 'payments',
    env: 'prod',
    version: 'v2',
    correlation_id: '2f1c6a4e-8d3b-4c7a-9e21-5b0d7f3a9c10',
  },
});

function write(operation: {
  operationId: string;
  summary: string;
  description?: string;
  body: string;
  responses: Record<number, ResponseObject>;
}): OperationObject {
  const { body, responses, ...rest } = operation;
  return {
    tags: ['routes'],
    ...rest,
    parameters: [
      { ...CORRELATION_HEADER_DOC, in: 'header', schema: { type: 'string' } },
      {
        name: 'If-Match',
        in: 'header',
        required: false,
        description:
          'Apply the change only if the route is at one of these revisions, as strong entity tags ("3"; a weak W/"3" never ' +
          'matches), or exists at all ("*"); otherwise 412 and nothing is written. Or send expected_revision in the body.',
        schema: { type: 'string', example: '"3"' },
      },
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: 'Only "*": apply the change only if the route does not exist yet (create only); otherwise 412',
        schema: { type: 'string', enum: ['*'] },
      },
    ],
    requestBody: { required: true, content: json(body) },
    responses: { ...responses, ...ERRORS },
  };
}

// The OpenAPI description of the route writes, plain Fastify routes (write-routes.ts). The
// operation ids are those the Nest controller had, so generated clients keep their method names.
export const CREATE_OPERATION = write({
  operationId: 'RoutesController_create',
  summary: 'Create or update a route',
  description:
    'Creates tenant/service/env on first use. Same url and already active: no change and no event. ' +
    'Different url: updated (and active). Same url but inactive: activated. ' +
    "A route of a tenant outside the key's scope is 404, as if it did not exist, and is not created.",
  body: 'CreateRouteDto',
  responses: {
    200: route('The route existed (updated, activated or unchanged)'),
    201: route('The route did not exist and was created'),
  },
});

export const ACTIVATE_OPERATION = write({
  operationId: 'RoutesController_activate',
  summary: 'Activate a route (no-op when already active)',
  body: 'RouteChangeDto',
  responses: { 200: route('OK') },
});

export const DEACTIVATE_OPERATION = write({
  operationId: 'RoutesController_deactivate',
  summary: 'Deactivate a route (soft delete; no-op when already inactive)',
  description:
    'In a tenant that protects its last active versions, deactivating the only active version of an environment is refused ' +
    '(409 ROUTE.LAST_ACTIVE_VERSION) unless the body has "force": true and a "reason", which the event carries as force_reason.',
  body: 'DeactivateRouteDto',
  responses: { 200: route('OK'), 409: LAST_ACTIVE_VERSION },
});

export const ROLLBACK_OPERATION = write({
  operationId: 'RoutesController_rollback',
  summary: 'Roll a route back to the state of one of its kept revisions',
  description:
    'Restores revision to_revision (GET /api/v1/routes/{tenant}/{service}/{env}/{version}/history lists the kept ones) as a new ' +
    'change: an active revision sets its URL and activates the route (event action updated or activated), an inactive one ' +
    'deactivates it. Already in that state: no change and no event. A revision that is not kept (pruned past ' +
    'ROUTE_HISTORY_LIMIT, or not reached yet) is 404 ROUTE.REVISION_NOT_FOUND with current_revision and oldest_revision. ' +
    'Send If-Match: "<current revision>" (or expected_revision) so a change made since you read the history is not undone. ' +
    "A rollback that deactivates meets the tenant's write-time interlock as a deactivate does (force and reason).",
  body: 'RollbackRouteDto',
  responses: { 200: route('The route, at a new revision (or unchanged when it was already in that state)'), 409: LAST_ACTIVE_VERSION },
});

export const CHANGESET_OPERATION: OperationObject = {
  tags: ['routes'],
  operationId: 'RoutesController_changeset',
  summary: 'Apply several route changes atomically: all of them or none',
  description:
    'Up to 100 changes to routes of one tenant (upsert, activate, deactivate, rollback), applied in one PostgreSQL ' +
    'transaction: either every change is committed, each with its own revision, event and history row, or none is. Each ' +
    'change is validated as the single write it names (errors name `changes.<i>.<field>`); at most one change per route. ' +
    'A change that cannot apply (its route or revision is not there, its expected_revision does not hold) stops the ' +
    'changeset with that error, `change_index` naming it, and nothing is written. Counts as one write per change in the ' +
    'rate limit. Preconditions go in each change (expected_revision); If-Match and If-None-Match are refused here. ' +
    "The body may be up to 256 KiB (16 KiB for other requests). The tenant's write-time interlock judges the outcome: a " +
    'changeset that activates v2 and deactivates v1 passes; one that leaves an environment with no active version is 409 ' +
    'ROUTE.LAST_ACTIVE_VERSION unless it has "force": true and a "reason" at the top. With "dry_run": true it is a preview: ' +
    'applied and rolled back, interlocks included, so the answer or error is what applying it now would give, and nothing ' +
    'is written.',
  parameters: [{ ...CORRELATION_HEADER_DOC, in: 'header', schema: { type: 'string' } }],
  requestBody: { required: true, content: json('ChangesetDto') },
  responses: {
    200: { description: 'Every change was applied (or was already in effect), in the order of the request', content: json('ChangesetResponseDto') },
    ...ERRORS,
    409: LAST_ACTIVE_VERSION,
  },
};
