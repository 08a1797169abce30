import { RouteChangedEvent, serializeRouteEvent } from '../../contracts/route-event';

export const CLOUD_EVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
export const CLOUD_EVENT_TYPE_PREFIX = 'com.traffic-manager.route.';

// A route event as a CloudEvent 1.0 in structured mode (one JSON document, attributes and data
// together): `type` names the action, `source` the tenant, `subject` the route, `id` the event id
// (the same as the Kafka event and the audit document, so a receiver can deduplicate), `data` the
// event exactly as on the route-events topic. Built once per event, so every retry sends the same
// bytes.
export function cloudEventBody(event: RouteChangedEvent): string {
  return (
    '{"specversion":"1.0"' +
    `,"id":${JSON.stringify(event.event_id)}` +
    `,"source":${JSON.stringify(`/traffic-manager/tenants/${event.tenant}`)}` +
    `,"type":${JSON.stringify(CLOUD_EVENT_TYPE_PREFIX + event.action)}` +
    `,"subject":${JSON.stringify(`${event.tenant}/${event.service}/${event.env}/${event.version}`)}` +
    `,"time":${JSON.stringify(event.occurred_at)}` +
    ',"datacontenttype":"application/json"' +
    `,"data":${serializeRouteEvent(event as unknown as Record<string, unknown>)}}`
  );
}

export const PING_EVENT_TYPE = 'com.traffic-manager.webhook.ping';

// The body of a test delivery (POST /api/v1/webhooks/{id}/ping): a CloudEvent with no route.
export function pingBody(id: string, tenant: string, subscriptionId: string, at: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id,
    source: `/traffic-manager/tenants/${tenant}`,
    type: PING_EVENT_TYPE,
    subject: `webhooks/${subscriptionId}`,
    time: at,
    datacontenttype: 'application/json',
    data: { webhook_id: subscriptionId, tenant },
  });
}
