import { serializeRouteEvent } from './route-event';
import { parseRouteEvent } from './route-event-parser';

const valid = {
  event_id: '0b7c3c2e-3a55-4b0e-9a57-1c7c7d1d2f10',
  event_type: 'route_changed',
  action: 'updated',
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: 'v2',
  url: 'https://b.example.com',
  previous_url: 'https://a.example.com',
  previous_state: 'active',
  revision: 2,
  changed_by: 'deploy-bot',
  changed_by_key_id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  correlation_id: 'c-1',
  occurred_at: '2026-11-21T10:00:00.000Z',
};

describe(parseRouteEvent.name, () => {
  it('should accept an event of the current contract', () => {
    expect(parseRouteEvent(valid)).toEqual({ ok: true, event: valid });
  });

  it("should keep a forced change's reason, and leave it absent on the others", () => {
    const forced = { ...valid, action: 'deactivated', force_reason: 'retired' };
    expect(parseRouteEvent(forced)).toEqual({ ok: true, event: forced });
    expect(parseRouteEvent(valid)).toEqual({ ok: true, event: expect.not.objectContaining({ force_reason: expect.anything() }) });
    expect('force_reason' in (parseRouteEvent({ ...valid, force_reason: 7 }) as { event: object }).event).toBe(false);
  });

  it('should accept a seed-era event without revision or previous values', () => {
    const { revision: _r, previous_url: _p, previous_state: _s, ...seed } = valid;

    const parsed = parseRouteEvent({ ...seed, action: 'created', correlation_id: null });

    expect(parsed).toMatchObject({ ok: true, event: { revision: 0, previous_url: null, previous_state: null } });
  });

  it('should accept an event from before authentication, without changed_by_key_id, as changed by nobody known', () => {
    const { changed_by_key_id: _k, ...older } = valid;

    expect(parseRouteEvent({ ...older, changed_by: null })).toMatchObject({ ok: true, event: { changed_by: null, changed_by_key_id: null } });
  });

  it.each([
    ['a string', 'not json', 'value is not a JSON object'],
    ['an array', [valid], 'value is not a JSON object'],
    ['an unknown action', { ...valid, action: 'deleted' }, 'action'],
    ['a colon in a name', { ...valid, tenant: 'a:b' }, 'tenant'],
    ['a bad timestamp', { ...valid, occurred_at: 'yesterday' }, 'occurred_at'],
    ['a zero revision', { ...valid, revision: 0 }, 'revision'],
  ])('should reject %s', (_name, value, reason) => {
    const parsed = parseRouteEvent(value);

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });
});

describe(serializeRouteEvent.name, () => {
  it('should write the contract fields in their documented order whatever order it was given', () => {
    const shuffled = Object.fromEntries(Object.entries(valid).reverse());

    expect(Object.keys(JSON.parse(serializeRouteEvent({ ...shuffled, extra: 1 })))).toEqual([...Object.keys(valid), 'extra']);
  });
});
