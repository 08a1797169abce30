import { RouteKey } from '../../contracts/route-key';
import { Interlock, InterlockFigures, InterlockRefused, RouteRecord, RouteRevisionRecord } from './route-record';

export const ROUTE_COLUMNS = `e.id, t.name AS tenant, s.name AS service, env.name AS env, e.version, e.url,
  e.is_active, e.revision, e.created_at, e.updated_at`;

export const ROUTE_JOINS = `FROM endpoints e
  JOIN environments env ON env.id = e.environment_id
  JOIN services s ON s.id = env.service_id
  JOIN tenants t ON t.id = s.tenant_id`;

export const BY_KEY = `t.name = $1 AND s.name = $2 AND env.name = $3 AND e.version = $4`;

// One statement in autocommit, so one round trip and one transaction per change (the function comes
// from migrations ApplyRouteChangeFunction and ConditionalRouteChange). Its row has the EndpointRow
// columns plus created/changed, and matched: false when the precondition did not hold.
export const APPLY_CHANGE = `SELECT * FROM tm_apply_route_change($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

// Several single changes in one statement, so one transaction (group commit, migration
// GroupCommitFunction): each parameter is an array with one element per change, in the order they
// are applied; rows are the single statement's plus `ord`, the change's 1-based position.
export const APPLY_CHANGES = `SELECT * FROM tm_apply_route_changes($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

// The same change forced with the reason $12 (the write-time interlock, migration LastActiveInterlock):
// the reason is set as the transaction-local tm.force_reason that the interlock's trigger reads, and
// added to the event as force_reason. The function's event argument depends on the setting's result,
// so the setting is made before the change, in the same statement (one round trip, as unforced).
export const APPLY_CHANGE_FORCED = `SELECT r.* FROM (SELECT set_config('tm.force_reason', $12, true) AS reason) f
  CROSS JOIN LATERAL tm_apply_route_change($1, $2, $3, $4, $5, $6, $7,
    jsonb_set($8::jsonb, '{force_reason}', to_jsonb(f.reason)), $9, $10, $11) r`;

// The interlock's check is deferred to the end of the transaction (a changeset is judged by its
// outcome); a changeset runs it before it commits, so a refusal can be answered like the others.
export const CHECK_INTERLOCKS = 'SET CONSTRAINTS tm_last_active_guard IMMEDIATE';

// SQLSTATEs of the interlocks' refusals (migrations LastActiveInterlock, MassDeactivationBreaker);
// their DETAIL is the route as JSON, with the breaker's figures.
const INTERLOCKS: Record<string, Interlock> = { TM409: 'last_active_version', TM429: 'mass_deactivation' };

// An interlock's refusal: null when `err` is something else; else which one, the route it names
// (null if its DETAIL cannot be read, which only a changed trigger would cause) and its figures.
export function interlockRefusal(err: unknown): (InterlockRefused & { route: RouteKey | null }) | null {
  const error = err as { code?: unknown; detail?: unknown; driverError?: { code?: unknown; detail?: unknown } } | null;
  const interlock = INTERLOCKS[String(error?.code ?? error?.driverError?.code)];
  if (!interlock) return null;
  let detail: (RouteKey & Partial<InterlockFigures>) | null = null;
  try {
    detail = JSON.parse(String(error?.detail ?? error?.driverError?.detail)) as RouteKey & Partial<InterlockFigures>;
  } catch {
    detail = null;
  }
  const route =
    typeof detail?.version === 'string' ? { tenant: detail.tenant, service: detail.service, env: detail.env, version: detail.version } : null;
  if (interlock === 'last_active_version' || !detail) return { interlock, route };
  const { deactivated, active, max_percent, window_minutes, min_count } = detail as InterlockFigures;
  return { interlock, route, figures: { deactivated, active, max_percent, window_minutes, min_count } };
}

export interface EndpointRow {
  id: number;
  tenant?: string;
  service?: string;
  env?: string;
  version: string;
  url: string;
  is_active: boolean;
  revision: number;
  created_at: Date;
  updated_at: Date;
}

export function keyParams(key: RouteKey): string[] {
  return [key.tenant, key.service, key.env, key.version];
}

export function toRecord(row: EndpointRow, key?: RouteKey): RouteRecord {
  return {
    id: row.id,
    tenant: key?.tenant ?? row.tenant!,
    service: key?.service ?? row.service!,
    env: key?.env ?? row.env!,
    version: row.version,
    url: row.url,
    isActive: row.is_active,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// route_revisions columns as the history queries select them (table alias r).
export const REVISION_COLUMNS = `r.revision, r.action, r.url, r.is_active, r.changed_at, r.changed_by, r.changed_by_key_id,
  r.correlation_id, r.event_id`;

export interface RevisionRow {
  revision: number;
  action: string;
  url: string;
  is_active: boolean;
  changed_at: Date;
  changed_by: string | null;
  changed_by_key_id: string | null;
  correlation_id: string | null;
  event_id: string | null;
}

export function toRevision(row: RevisionRow): RouteRevisionRecord {
  return {
    revision: row.revision,
    action: row.action,
    url: row.url,
    isActive: row.is_active,
    changedAt: row.changed_at,
    changedBy: row.changed_by,
    changedByKeyId: row.changed_by_key_id,
    correlationId: row.correlation_id,
    eventId: row.event_id,
  };
}

export type RevisionLookupRow = Partial<RevisionRow> & { current_revision: number; oldest_revision: number | null };

// One kept revision of a route (NULL: its current one) with the route's current and oldest kept
// revision; no row: no route, a row of NULL revision columns: that revision is not kept.
export const REVISION_BY_NUMBER = `SELECT e.revision AS current_revision,
    (SELECT min(o.revision) FROM route_revisions o WHERE o.endpoint_id = e.id) AS oldest_revision,
    ${REVISION_COLUMNS}
  ${ROUTE_JOINS}
  LEFT JOIN route_revisions r ON r.endpoint_id = e.id AND r.revision = coalesce($5::int, e.revision)
  WHERE ${BY_KEY}`;
