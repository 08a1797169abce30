import { ROUTE_ACTIONS, ROUTE_CHANGED_EVENT, RouteAction, RouteChangedEvent } from './route-event';

const NAME = /^[A-Za-z0-9._-]{1,128}$/;

export type ParsedEvent = { ok: true; event: RouteChangedEvent } | { ok: false; reason: string };

// Checks a consumed message value against the route-events contract. Seed-era events (no revision,
// no previous_*) and events from before authentication (no changed_by_key_id) are accepted; anything
// else that does not fit is poison for the dead-letter topic.
export function parseRouteEvent(value: unknown): ParsedEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'value is not a JSON object' };
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof v.event_id !== 'string' || v.event_id.length === 0 || v.event_id.length > 64) problems.push('event_id');
  if (v.event_type !== undefined && v.event_type !== ROUTE_CHANGED_EVENT) problems.push('event_type');
  if (!ROUTE_ACTIONS.includes(v.action as RouteAction)) problems.push('action');
  for (const field of ['tenant', 'service', 'env', 'version']) {
    if (typeof v[field] !== 'string' || !NAME.test(v[field] as string)) problems.push(field);
  }
  if (typeof v.url !== 'string' || v.url.length === 0) problems.push('url');
  if (v.revision !== undefined && v.revision !== null && !(Number.isInteger(v.revision) && (v.revision as number) > 0)) {
    problems.push('revision');
  }
  if (typeof v.occurred_at !== 'string' || Number.isNaN(Date.parse(v.occurred_at))) problems.push('occurred_at');
  if (problems.length) return { ok: false, reason: `invalid or missing fields: ${problems.join(', ')}` };

  return {
    ok: true,
    event: {
      event_id: v.event_id as string,
      event_type: ROUTE_CHANGED_EVENT,
      action: v.action as RouteAction,
      tenant: v.tenant as string,
      service: v.service as string,
      env: v.env as string,
      version: v.version as string,
      url: v.url as string,
      previous_url: typeof v.previous_url === 'string' ? v.previous_url : null,
      previous_state: v.previous_state === 'active' || v.previous_state === 'inactive' ? v.previous_state : null,
      revision: (v.revision as number | undefined) ?? 0,
      changed_by: typeof v.changed_by === 'string' ? v.changed_by : null,
      changed_by_key_id: typeof v.changed_by_key_id === 'string' ? v.changed_by_key_id : null,
      correlation_id: typeof v.correlation_id === 'string' ? v.correlation_id : null,
      occurred_at: v.occurred_at as string,
      // Only on forced changes; kept absent otherwise, so the event reads as it was written.
      ...(typeof v.force_reason === 'string' ? { force_reason: v.force_reason } : {}),
    },
  };
}
