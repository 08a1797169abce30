import { DomainError } from '../../common/errors/domain.error';
import { RouteKey, routeKeyPath } from '../../contracts/route-key';
import { InterlockFigures, Precondition } from '../route-store';

export class RouteNotFoundError extends DomainError {
  readonly code = 'ROUTE.NOT_FOUND';

  // `at`: the index of the change in a changeset that named the route (see changeContext).
  constructor(key: RouteKey, at?: number) {
    // The seed's 404 named the route in tenant/service/env/version fields; clients may read them.
    super(`${prefix(at)}No route found for ${routeKeyPath(key)}`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      ...changeContext(at),
    });
  }
}

export class InvalidCursorError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: cursor is not a cursor returned by this API', [{ field: 'cursor', problem: 'is not a cursor returned by this API' }]);
  }
}

// A conditional write (If-Match, If-None-Match: * or expected_revision) whose precondition did not
// hold under the row lock: nothing was written. 412, naming the route and its current revision
// (`current_revision`, null when it does not exist), so the client can read it again and decide.
export class RoutePreconditionFailedError extends DomainError {
  readonly code = 'ROUTE.PRECONDITION_FAILED';

  constructor(key: RouteKey, precondition: Precondition, current: number | null, at?: number) {
    super(`${prefix(at)}${routeKeyPath(key)} ${now(current)}; ${required(precondition)}`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      current_revision: current,
      ...changeContext(at),
    });
  }
}

function now(current: number | null): string {
  return current === null ? 'does not exist' : `is at revision ${current}`;
}

function required(precondition: Precondition): string {
  switch (precondition.kind) {
    case 'exists':
      return 'the change required it to exist';
    case 'absent':
      return 'the change required it not to exist yet';
    case 'revisions': {
      const { revisions } = precondition;
      if (revisions.length === 0) {
        return 'If-Match named no revision: it compares strong tags such as "3" (a weak tag such as W/"3" never matches)';
      }
      return `the change required revision ${revisions.length === 1 ? revisions[0] : `${revisions.slice(0, -1).join(', ')} or ${revisions.at(-1)}`}`;
    }
  }
}

// A rollback to (or a propagation status of) a revision the route's history does not hold: pruned
// (older than the oldest kept, ROUTE_HISTORY_LIMIT) or not reached yet. 404 naming what is kept, so
// the client can pick another.
export class RouteRevisionNotFoundError extends DomainError {
  readonly code = 'ROUTE.REVISION_NOT_FOUND';

  // `purpose` completes "has no revision N …" (a rollback's by default).
  constructor(key: RouteKey, revision: number, current: number, oldest: number | null, at?: number, purpose = 'to roll back to') {
    super(`${prefix(at)}${routeKeyPath(key)} has no revision ${revision} ${purpose}; ${kept(revision, current, oldest)}`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      current_revision: current,
      oldest_revision: oldest,
      ...changeContext(at),
    });
  }
}

// The tenant protects its environments' last active version (PUT /api/v1/tenants/{tenant}/safety)
// and the change, not forced, would have left this route's environment with none: 409, nothing
// written. The way out is in the message: activate another version first (a changeset that does
// both is judged by its outcome), or force the change with a reason.
export class RouteLastActiveVersionError extends DomainError {
  readonly code = 'ROUTE.LAST_ACTIVE_VERSION';

  constructor(key: RouteKey, at?: number) {
    const env = `${key.tenant}/${key.service}/${key.env}`;
    super(
      `${prefix(at)}Deactivating ${routeKeyPath(key)} would leave ${env} with no active version, and tenant ${key.tenant} ` +
        'protects its last active versions. Activate another version first (a changeset may do both), or send "force": true ' +
        'with a "reason"',
      undefined,
      { tenant: key.tenant, service: key.service, env: key.env, version: key.version, ...changeContext(at) },
    );
  }
}

// The tenant's mass-deactivation breaker (PUT /api/v1/tenants/{tenant}/safety): with this change,
// more of the tenant's versions than it allows would have been deactivated within its window. 409,
// nothing written, with the figures. Not overridden by force: a scheduled changeset approved by
// another key (four-eyes) is the way, or an admin changing the limit.
export class RouteMassDeactivationError extends DomainError {
  readonly code = 'ROUTE.MASS_DEACTIVATION';

  constructor(key: RouteKey, figures: InterlockFigures | undefined, at?: number) {
    const share = figures
      ? `${figures.deactivated} of tenant ${key.tenant}'s ${figures.active + figures.deactivated} versions would have been deactivated within ` +
        `${figures.window_minutes} minutes, more than its limit of ${figures.max_percent} %`
      : `too many of tenant ${key.tenant}'s versions would have been deactivated at once`;
    super(
      `${prefix(at)}Deactivating ${routeKeyPath(key)} was refused: ${share}. Schedule the change with "approvals_required": 1 and ` +
        'have another key approve it (POST /api/v1/schedules), or ask an admin to change the limit',
      undefined,
      { tenant: key.tenant, service: key.service, env: key.env, version: key.version, ...(figures ?? {}), ...changeContext(at) },
    );
  }
}

// A point-in-time read (`as_of`) before the route was created: it did not exist then.
export class RouteNotYetCreatedError extends DomainError {
  readonly code = 'ROUTE.NOT_FOUND';

  constructor(key: RouteKey, asOf: Date, createdAt: Date) {
    super(`${routeKeyPath(key)} did not exist at ${asOf.toISOString()}; it was created at ${createdAt.toISOString()}`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      created_at: createdAt.toISOString(),
    });
  }
}

// A point-in-time read (`as_of`) of a moment whose revision is no longer kept (ROUTE_HISTORY_LIMIT, or
// the route is older than its history): 404 naming the oldest kept revision and when it was made.
export class RouteStateNotKeptError extends DomainError {
  readonly code = 'ROUTE.REVISION_NOT_FOUND';

  constructor(key: RouteKey, asOf: Date, current: number, oldest: { revision: number; changedAt: Date } | null) {
    const since = oldest ? `its oldest kept revision, ${oldest.revision}, is from ${oldest.changedAt.toISOString()}` : 'it keeps no history';
    super(`${routeKeyPath(key)} keeps no revision in effect at ${asOf.toISOString()}; ${since}`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      current_revision: current,
      oldest_revision: oldest?.revision ?? null,
    });
  }
}

function kept(revision: number, current: number, oldest: number | null): string {
  if (oldest === null) return `it is at revision ${current} and keeps no history`;
  if (revision > current) return `it is at revision ${current} (revisions ${oldest} to ${current} are kept)`;
  return `revisions before ${oldest} are no longer kept (ROUTE_HISTORY_LIMIT); ${oldest} to ${current} are`;
}

// A changeset is applied whole or not at all; the error that stopped it names the change
// (`change_index`, its position in `changes`) and says so in the message.
function changeContext(at: number | undefined): { change_index?: number } {
  return at === undefined ? {} : { change_index: at };
}

function prefix(at: number | undefined): string {
  return at === undefined ? '' : `changes.${at}: `;
}

// A tenant outside the caller's scope (its settings): 404, as its routes are.
export class TenantNotFoundError extends DomainError {
  readonly code = 'TENANT.NOT_FOUND';

  constructor(tenant: string) {
    super(`No tenant ${tenant}`, undefined, { tenant });
  }
}

// Scheduled changesets (POST /api/v1/schedules).
export class ScheduleNotFoundError extends DomainError {
  readonly code = 'SCHEDULE.NOT_FOUND';

  constructor(id: string) {
    super(`No scheduled changeset ${id}`, undefined, { id });
  }
}

// Only a pending schedule can be cancelled or approved; 409 naming the status it has.
export class ScheduleStatusConflictError extends DomainError {
  readonly code = 'SCHEDULE.STATUS_CONFLICT';

  constructor(id: string, status: string, action: 'cancelled' | 'approved' = 'cancelled') {
    super(`Scheduled changeset ${id} is ${status}: only a pending one can be ${action}`, undefined, { id, status });
  }
}

// An approval that cannot be recorded: the scheduler's own key, a key that already approved, or a
// schedule that needs none. 409.
export class ScheduleApprovalConflictError extends DomainError {
  readonly code = 'SCHEDULE.APPROVAL_CONFLICT';

  constructor(id: string, reason: string) {
    super(`Scheduled changeset ${id}: ${reason}`, undefined, { id });
  }
}
