import { RouteRecord } from '../route-store/route-record';
import { buildEvent, planChange } from './route-change';

const route = (overrides: Partial<RouteRecord> = {}): RouteRecord => ({
  id: 1,
  tenant: 't',
  service: 's',
  env: 'e',
  version: 'v1',
  url: 'https://a.example.com',
  isActive: true,
  revision: 4,
  createdAt: new Date(),
  updatedAt: new Date(),
  ...overrides,
});

describe(planChange.name, () => {
  it.each([
    ['same url, active', route(), { kind: 'upsert', url: 'https://a.example.com' }, null],
    ['new url, active', route(), { kind: 'upsert', url: 'https://b.example.com' }, { action: 'updated', url: 'https://b.example.com', isActive: true }],
    ['new url, inactive', route({ isActive: false }), { kind: 'upsert', url: 'https://b.example.com' }, { action: 'updated', url: 'https://b.example.com', isActive: true }],
    ['same url, inactive', route({ isActive: false }), { kind: 'upsert', url: 'https://a.example.com' }, { action: 'activated', url: 'https://a.example.com', isActive: true }],
    ['activate active', route(), { kind: 'activate' }, null],
    ['activate inactive', route({ isActive: false }), { kind: 'activate' }, { action: 'activated', url: 'https://a.example.com', isActive: true }],
    ['deactivate active', route(), { kind: 'deactivate' }, { action: 'deactivated', url: 'https://a.example.com', isActive: false }],
    ['deactivate inactive', route({ isActive: false }), { kind: 'deactivate' }, null],
  ] as const)('should plan %s', (_name, current, intent, expected) => {
    expect(planChange(current, intent)).toEqual(expected);
  });
});

describe(buildEvent.name, () => {
  it('should carry the new state, the previous one and the correlation id', () => {
    const event = buildEvent('updated', route({ url: 'https://b.example.com', revision: 5 }), route({ isActive: false }), 'corr-1');

    expect(event).toMatchObject({
      event_type: 'route_changed',
      action: 'updated',
      tenant: 't',
      url: 'https://b.example.com',
      previous_url: 'https://a.example.com',
      previous_state: 'inactive',
      revision: 5,
      changed_by: null,
      correlation_id: 'corr-1',
    });
    expect(event.occurred_at).toMatch(/Z$/);
  });
});
