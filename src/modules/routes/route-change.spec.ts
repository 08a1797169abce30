import { Principal } from '../../contracts/principal';
import { changeOf, draftEvent } from './route-change';

describe(changeOf.name, () => {
  it.each([
    [
      { kind: 'upsert', url: 'https://a.example.com' },
      { url: 'https://a.example.com', active: true },
    ],
    [{ kind: 'activate' }, { url: null, active: true }],
    [{ kind: 'deactivate' }, { url: null, active: false }],
  ] as const)('should ask for %j as %j', (intent, expected) => {
    expect(changeOf(intent)).toEqual(expected);
  });
});

describe(draftEvent.name, () => {
  const key = { tenant: 't', service: 's', env: 'e', version: 'v1' };
  const author: Principal = { keyId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', keyName: 'deploy-bot', tenant: 't', role: 'writer' };

  it('should carry the route, the author, the correlation id and a fresh event id, and leave the state to the database', () => {
    const event = draftEvent(key, author, 'corr-1');

    expect(event).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      event_type: 'route_changed',
      ...key,
      changed_by: 'deploy-bot',
      changed_by_key_id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
      correlation_id: 'corr-1',
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(draftEvent(key, author, null).event_id).not.toBe(event.event_id);
  });
});
