import { RouteKey } from '../../contracts/route-key';

// A route as stored: the endpoint row with its names resolved.
export interface RouteRecord extends RouteKey {
  id: number;
  url: string;
  isActive: boolean;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

// What the read path needs to answer (and cache) one route.
export interface RouteSnapshot {
  url: string | null;
  active: boolean;
  revision: number;
}

export interface RouteListFilter {
  tenant?: string;
  service?: string;
  env?: string;
  active?: boolean;
  afterId?: number;
  limit: number;
}

// What must hold for a write to apply (optimistic concurrency), checked under the row lock in the
// write's own statement: the route exists, does not exist yet, or is at one of `revisions`.
export type Precondition = { kind: 'exists' } | { kind: 'absent' } | { kind: 'revisions'; revisions: number[] };

// The state a write asks for. A null url keeps the current one and never creates the route.
export interface RouteChange {
  url: string | null;
  active: boolean;
  precondition?: Precondition;
  // `force` with this reason: the change may leave an environment of a tenant that protects its last
  // active version with none (the write-time interlock, migration LastActiveInterlock). It travels in
  // the event as force_reason.
  forceReason?: string;
}

export interface AppliedChange {
  route: RouteRecord;
  created: boolean;
  changed: boolean;
}

// The precondition did not hold: nothing was written. The route's revision now, null when it does not exist.
export interface PreconditionFailed {
  preconditionFailed: true;
  currentRevision: number | null;
}

// A tenant's write-time interlock refused the change (nothing was written): it would have left the
// route's environment with no active version (last_active_version, unless forced), or deactivated
// more of the tenant at once than its mass-deactivation breaker allows (mass_deactivation, unless an
// approved scheduled changeset); `figures` are the breaker's (deactivated, active, max_percent,
// window_minutes, min_count).
export type Interlock = 'last_active_version' | 'mass_deactivation';

export interface InterlockFigures {
  deactivated: number;
  active: number;
  max_percent: number;
  window_minutes: number;
  min_count: number;
}

export interface InterlockRefused {
  interlock: Interlock;
  figures?: InterlockFigures;
}

// One kept revision of a route (route_revisions): its state after that change and who made it.
// `action` is the event's action, or "baseline" for the state a route had when history began.
export interface RouteRevisionRecord {
  revision: number;
  action: string;
  url: string;
  isActive: boolean;
  changedAt: Date;
  changedBy: string | null;
  changedByKeyId: string | null;
  correlationId: string | null;
  eventId: string | null;
}

// A route's revision now, the oldest one still kept (null: none kept), and the revisions asked for.
export interface RouteHistory {
  currentRevision: number;
  oldestRevision: number | null;
  revisions: RouteRevisionRecord[];
}

// One change of a changeset: a state to apply (as a single write), or a kept revision to restore.
export type ChangesetItem = { key: RouteKey; forceReason?: string } & (
  { change: RouteChange; rollbackTo?: undefined } | { change?: undefined; rollbackTo: number; precondition?: Precondition }
);

// Why a changeset was not applied (nothing was written): the change at `index` named a route that
// does not exist, a revision its history does not keep, a precondition that did not hold, or a
// tenant's write-time interlock (InterlockRefused) refused the changeset's outcome.
export type ChangesetRefusal = { index: number } & (
  | { reason: 'not_found' }
  | { reason: 'revision_not_found'; revision: number; currentRevision: number; oldestRevision: number | null }
  | { reason: 'precondition_failed'; currentRevision: number | null }
  | ({ reason: 'interlock' } & InterlockRefused)
);
