import { RouteChangedEvent } from '../../contracts/route-event';
import { cloudEventBody } from './cloud-event';

const EVENT: RouteChangedEvent = {
  event_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  event_type: 'route_changed',
  action: 'updated',
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: 'v2',
  url: 'https://payments-v2b.internal.example.com',
  previous_url: 'https://payments-v2.internal.example.com',
  previous_state: 'active',
  revision: 7,
  changed_by: 'ci-deployer',
  changed_by_key_id: 'k1',
  correlation_id: 'c1',
  occurred_at: '2026-12-03T10:00:00.000Z',
};

describe('cloudEventBody', () => {
  it('is a CloudEvent 1.0 in structured mode whose data is the route event as published', () => {
    const body = JSON.parse(cloudEventBody(EVENT));
    expect(body).toEqual({
      specversion: '1.0',
      id: EVENT.event_id,
      source: '/traffic-manager/tenants/team-a',
      type: 'com.traffic-manager.route.updated',
      subject: 'team-a/payments/prod/v2',
      time: EVENT.occurred_at,
      datacontenttype: 'application/json',
      data: EVENT,
    });
  });

  it('names each action in its type', () => {
    for (const action of ['created', 'activated', 'deactivated'] as const) {
      expect(JSON.parse(cloudEventBody({ ...EVENT, action })).type).toBe(`com.traffic-manager.route.${action}`);
    }
  });

  it('escapes what it embeds', () => {
    const body = cloudEventBody({ ...EVENT, tenant: 'a"b', correlation_id: '\u2028x' });
    expect(JSON.parse(body).source).toBe('/traffic-manager/tenants/a"b');
  });
});
