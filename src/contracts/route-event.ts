import { RouteKey } from './route-key';

export const ROUTE_CHANGED_EVENT = 'route_changed';

export const ROUTE_ACTIONS = ['created', 'updated', 'activated', 'deactivated'] as const;
export type RouteAction = (typeof ROUTE_ACTIONS)[number];

export type RouteState = 'active' | 'inactive';

// The JSON value of every message on the route-events topic. The seed's fields are all here with
// their names and meanings; previous_url, previous_state, revision, changed_by_key_id are additions, and
// changed_by (always null in the seed) is the name of the API key that made the change. Events written
// before authentication existed have null in both. force_reason is added by the database, and only to
// forced changes.
export interface RouteChangedEvent extends RouteKey {
  event_id: string;
  event_type: typeof ROUTE_CHANGED_EVENT;
  action: RouteAction;
  url: string;
  previous_url: string | null;
  previous_state: RouteState | null;
  revision: number;
  changed_by: string | null;
  changed_by_key_id: string | null;
  correlation_id: string | null;
  occurred_at: string;
  // Present only on a change forced past the tenant's write-time interlock: the request's reason.
  force_reason?: string;
}

// The event fields known before the write; the database adds the ones that depend on the row it
// changed (action, url, previous_url, previous_state, revision) while it holds the row lock.
export type RouteEventDraft = Omit<RouteChangedEvent, 'action' | 'url' | 'previous_url' | 'previous_state' | 'revision' | 'force_reason'>;

export const EVENT_HEADERS = {
  correlationId: 'x-correlation-id',
  eventType: 'event-type',
} as const;

// Field order of the JSON value on the topic (PostgreSQL jsonb does not keep the order it was given).
const FIELD_ORDER: ReadonlyArray<keyof RouteChangedEvent> = [
  'event_id',
  'event_type',
  'action',
  'tenant',
  'service',
  'env',
  'version',
  'url',
  'previous_url',
  'previous_state',
  'revision',
  'changed_by',
  'changed_by_key_id',
  'correlation_id',
  'occurred_at',
  'force_reason',
];

export function serializeRouteEvent(event: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) if (field in event) ordered[field] = event[field];
  for (const [field, value] of Object.entries(event)) if (!(field in ordered)) ordered[field] = value;
  return JSON.stringify(ordered);
}
