import { randomUUID } from 'crypto';
import { RouteChangedEvent } from '../../src/contracts/route-event';
import { routeOf } from '../helpers/names';

export type Route = ReturnType<typeof routeOf>;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export const auditPath = (endpoint: string, params: Record<string, string | number>) =>
  `/api/v1/audit/${endpoint}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`;

// A route event as the outbox relay would publish it, one hour old unless patched.
export function routeEvent(route: Route, patch: Partial<RouteChangedEvent> = {}): RouteChangedEvent {
  return {
    event_id: randomUUID(),
    event_type: 'route_changed',
    action: 'created',
    ...route,
    url: `https://${route.version}.${route.env}.example.com`,
    previous_url: null,
    previous_state: null,
    revision: 1,
    changed_by: null,
    changed_by_key_id: null,
    correlation_id: `corr-${randomUUID()}`,
    occurred_at: ago(HOUR),
    ...patch,
  };
}

// The order every listing promises: occurred_at descending, then event_id descending.
export const newestFirst = (events: RouteChangedEvent[]) =>
  [...events]
    .sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || (a.event_id < b.event_id ? 1 : a.event_id > b.event_id ? -1 : 0))
    .map((e) => e.event_id);

// What the API shows of a recorded event.
export function withoutRoute(event: RouteChangedEvent) {
  return {
    event_id: event.event_id,
    action: event.action,
    url: event.url,
    previous_url: event.previous_url,
    previous_state: event.previous_state,
    changed_by: event.changed_by,
    changed_by_key_id: event.changed_by_key_id,
    correlation_id: event.correlation_id,
    revision: event.revision,
    occurred_at: event.occurred_at,
    processed_at: expect.stringMatching(ISO_UTC),
    force_reason: event.force_reason ?? null,
  };
}

export function withRoute(event: RouteChangedEvent) {
  const { tenant, service, env, version } = event;
  return { ...withoutRoute(event), route: { tenant, service, env, version } };
}
