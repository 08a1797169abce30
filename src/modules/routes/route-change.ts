import { randomUUID } from 'crypto';
import { changedByOf, Principal } from '../../contracts/principal';
import { ROUTE_CHANGED_EVENT, RouteEventDraft } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';
import { ChangesetChange } from './dto/changeset-body';
import { ChangesetItem, ChangesetRefusal, InterlockRefused, RouteChange } from '../route-store';
import {
  RouteLastActiveVersionError,
  RouteMassDeactivationError,
  RouteNotFoundError,
  RoutePreconditionFailedError,
  RouteRevisionNotFoundError,
} from './routes.errors';
import { expectedRevisionPrecondition } from './write-precondition';

export type Intent = { kind: 'upsert'; url: string } | { kind: 'activate' } | { kind: 'deactivate' };

// The state each request asks for. The database compares it with the locked row: a new URL is
// "updated" (and active again), an inactive route asked to be active is "activated", an active one
// asked to be inactive is "deactivated"; anything else is already in that state and changes nothing
// (no revision, no event), so retries are harmless. Only an upsert may create the route.
export function changeOf(intent: Intent): RouteChange {
  switch (intent.kind) {
    case 'upsert':
      return { url: intent.url, active: true };
    case 'activate':
      return { url: null, active: true };
    case 'deactivate':
      return { url: null, active: false };
  }
}

// The request-side event fields, changed_by naming the API key that asked for the change.
export function draftEvent(key: RouteKey, author: Principal, correlationId: string | null): RouteEventDraft {
  return {
    event_id: randomUUID(),
    event_type: ROUTE_CHANGED_EVENT,
    tenant: key.tenant,
    service: key.service,
    env: key.env,
    version: key.version,
    ...changedByOf(author),
    correlation_id: correlationId,
    occurred_at: new Date().toISOString(),
  };
}

// A changeset's change as the store's item (its precondition, if any, included), forced with the
// changeset's reason when it is forced.
export function itemOf(change: ChangesetChange, forceReason?: string): ChangesetItem {
  const precondition = change.expected_revision === undefined ? undefined : expectedRevisionPrecondition(change.expected_revision);
  const forced = forceReason === undefined ? {} : { forceReason };
  if (change.action === 'rollback') return { key: change.key, rollbackTo: change.to_revision, precondition, ...forced };
  const intent: Intent = change.action === 'upsert' ? { kind: 'upsert', url: change.url } : { kind: change.action };
  const state = changeOf(intent);
  return { key: change.key, change: precondition ? { ...state, precondition } : state, ...forced };
}

export function refusalError(refusal: ChangesetRefusal, change: ChangesetChange): Error {
  switch (refusal.reason) {
    case 'not_found':
      return new RouteNotFoundError(change.key, refusal.index);
    case 'revision_not_found':
      return new RouteRevisionNotFoundError(change.key, refusal.revision, refusal.currentRevision, refusal.oldestRevision, refusal.index);
    case 'precondition_failed':
      return new RoutePreconditionFailedError(
        change.key,
        expectedRevisionPrecondition(change.expected_revision!),
        refusal.currentRevision,
        refusal.index,
      );
    case 'interlock':
      return interlockError(change.key, refusal, refusal.index);
  }
}

// The error a refusal by a tenant's write-time interlock is answered with.
export function interlockError(key: RouteKey, refused: InterlockRefused, at?: number): Error {
  return refused.interlock === 'last_active_version'
    ? new RouteLastActiveVersionError(key, at)
    : new RouteMassDeactivationError(key, refused.figures, at);
}
