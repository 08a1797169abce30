import { RouteEventDraft } from '../../contracts/route-event';
import { OutboxWriter } from './outbox-writer';

const draft = (correlationId: string | null): RouteEventDraft => ({
  event_id: '0b7c3c2e-3a55-4b0e-9a57-000000000001',
  event_type: 'route_changed',
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: 'v1',
  changed_by: null,
  changed_by_key_id: null,
  correlation_id: correlationId,
  occurred_at: '2026-11-21T10:00:00.000Z',
});

describe(OutboxWriter.name, () => {
  const writer = new OutboxWriter();

  it('should key the row by route so every event of a route lands on one partition', () => {
    expect(writer.row(draft('c-1')).messageKey).toBe('team-a:payments:prod:v1');
  });

  it('should carry the correlation id and event type as Kafka headers', () => {
    expect(JSON.parse(writer.row(draft('c-1')).headers)).toEqual({ 'x-correlation-id': 'c-1', 'event-type': 'route_changed' });
  });

  it('should send an empty correlation header when the change had none', () => {
    expect(JSON.parse(writer.row(draft(null)).headers)['x-correlation-id']).toBe('');
  });

  it('should store the request-side event fields as the payload', () => {
    expect(JSON.parse(writer.row(draft('c-1')).payload)).toEqual(draft('c-1'));
  });
});
