import { randomUUID } from 'crypto';
import { ROUTE_CHANGED_EVENT, RouteAction, RouteChangedEvent } from '../../contracts/route-event';
import { RouteRecord } from '../route-store/route-record';

export interface RoutePatch {
  action: RouteAction;
  url: string;
  isActive: boolean;
}

export type Intent = { kind: 'upsert'; url: string } | { kind: 'activate' } | { kind: 'deactivate' };

// What a request does to an existing route; null means it is already in the requested state, so the
// request is acknowledged without a new revision or event (retries are harmless).
export function planChange(current: RouteRecord, intent: Intent): RoutePatch | null {
  switch (intent.kind) {
    case 'upsert':
      if (intent.url !== current.url) return { action: 'updated', url: intent.url, isActive: true };
      return current.isActive ? null : { action: 'activated', url: current.url, isActive: true };
    case 'activate':
      return current.isActive ? null : { action: 'activated', url: current.url, isActive: true };
    case 'deactivate':
      return current.isActive ? { action: 'deactivated', url: current.url, isActive: false } : null;
  }
}

export function buildEvent(
  action: RouteAction,
  next: RouteRecord,
  previous: RouteRecord | null,
  correlationId: string | null,
): RouteChangedEvent {
  return {
    event_id: randomUUID(),
    event_type: ROUTE_CHANGED_EVENT,
    action,
    tenant: next.tenant,
    service: next.service,
    env: next.env,
    version: next.version,
    url: next.url,
    previous_url: previous ? previous.url : null,
    previous_state: previous ? (previous.isActive ? 'active' : 'inactive') : null,
    revision: next.revision,
    changed_by: null,
    correlation_id: correlationId,
    occurred_at: new Date().toISOString(),
  };
}
