import { ALL_TENANTS, TenantScope } from '../../contracts/principal';
import { RouteChangedEvent } from '../../contracts/route-event';
import { AuditEvent } from './audit-event.schema';
import { AuditRecorder } from './audit-recorder';
import { AuditRepository } from './audit.repository';
import { InvalidAuditEventError } from './audit.errors';

class FakeRepository {
  readonly stored: AuditEvent[] = [];
  failure?: Error;

  async insert(_scope: TenantScope, doc: AuditEvent): Promise<'inserted' | 'duplicate'> {
    if (this.failure) throw this.failure;
    if (this.stored.some((d) => d.event_id === doc.event_id)) return 'duplicate';
    this.stored.push(doc);
    return 'inserted';
  }

  async insertMany(scope: TenantScope, docs: AuditEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    const outcomes: Array<'inserted' | 'duplicate'> = [];
    for (const doc of docs) outcomes.push(await this.insert(scope, doc));
    return outcomes;
  }
}

const event = (patch: Partial<RouteChangedEvent> = {}): RouteChangedEvent => ({
  event_id: '0b8e2c1e-5f7a-4c1d-9d2e-7a6b5c4d3e2f',
  event_type: 'route_changed',
  action: 'updated',
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: 'v2',
  url: 'https://new.example.com',
  previous_url: 'https://old.example.com',
  previous_state: 'active',
  revision: 4,
  changed_by: 'deploy-bot',
  changed_by_key_id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  correlation_id: 'req-42',
  occurred_at: '2026-01-14T17:00:00.123Z',
  ...patch,
});

describe(AuditRecorder.name, () => {
  let repository: FakeRepository;
  let recorder: AuditRecorder;

  beforeEach(() => {
    repository = new FakeRepository();
    recorder = new AuditRecorder(repository as unknown as AuditRepository);
  });

  it('should store the seed document shape with the route nested, author and correlation id kept and empty metadata', async () => {
    const before = Date.now();
    await expect(recorder.record(ALL_TENANTS, event())).resolves.toBe('inserted');

    const [doc] = repository.stored;
    expect(doc).toEqual({
      event_id: '0b8e2c1e-5f7a-4c1d-9d2e-7a6b5c4d3e2f',
      event_type: 'route_changed',
      action: 'updated',
      route: { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' },
      url: 'https://new.example.com',
      previous_url: 'https://old.example.com',
      previous_state: 'active',
      changed_by: 'deploy-bot',
      changed_by_key_id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
      correlation_id: 'req-42',
      revision: 4,
      occurred_at: new Date('2026-01-14T17:00:00.123Z'),
      processed_at: expect.any(Date),
      metadata: {},
    });
    expect(doc.processed_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(doc.processed_at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['an offset', '2026-01-14T19:00:00+02:00', '2026-01-14T17:00:00.000Z'],
    ['microseconds (seed producer)', '2024-01-14T17:30:00.123456Z', '2024-01-14T17:30:00.123Z'],
    ['no zone (seed-era UTC without Z)', '2024-01-14T17:30:00', '2024-01-14T17:30:00.000Z'],
    ['no zone and a space separator', '2024-01-14 17:30:00', '2024-01-14T17:30:00.000Z'],
  ])('should store occurred_at given with %s as the UTC instant', async (_name, occurredAt, expected) => {
    await recorder.record(ALL_TENANTS, event({ occurred_at: occurredAt }));

    expect(repository.stored[0].occurred_at.toISOString()).toBe(expected);
  });

  it('should report a second delivery of the same event_id as a duplicate', async () => {
    await recorder.record(ALL_TENANTS, event());

    await expect(recorder.record(ALL_TENANTS, event({ url: 'https://other.example.com' }))).resolves.toBe('duplicate');
    expect(repository.stored).toHaveLength(1);
  });

  it('should let a store failure through so the consumer retries', async () => {
    repository.failure = Object.assign(new Error('Server selection timed out'), { name: 'MongoServerSelectionError' });

    await expect(recorder.record(ALL_TENANTS, event())).rejects.toThrow('Server selection timed out');
  });

  it.each([
    ['an unreadable occurred_at', { occurred_at: 'yesterday' }, 'occurred_at'],
    ['an unknown action', { action: 'deleted' as never }, 'action'],
    ['an empty tenant', { tenant: '' }, 'tenant'],
    ['no event_id', { event_id: undefined as never }, 'event_id'],
  ])('should refuse an event with %s as permanently invalid', async (_name, patch, field) => {
    const attempt = recorder.record(ALL_TENANTS, event(patch));

    await expect(attempt).rejects.toThrow(InvalidAuditEventError);
    await expect(attempt).rejects.toThrow(field);
    expect(repository.stored).toHaveLength(0);
  });

  it('should store a batch, answering per event in order, with an invalid event refused in its place', async () => {
    await recorder.record(ALL_TENANTS, event({ event_id: 'already-there' }));

    const outcomes = await recorder.recordMany(ALL_TENANTS, [
      event({ event_id: 'first' }),
      event({ event_id: 'broken', occurred_at: 'yesterday' }),
      event({ event_id: 'already-there' }),
      event({ event_id: 'last' }),
    ]);

    expect(outcomes.map((o) => (o instanceof InvalidAuditEventError ? o.code : o))).toEqual([
      'inserted',
      'AUDIT.INVALID_EVENT',
      'duplicate',
      'inserted',
    ]);
    expect(repository.stored.map((d) => d.event_id)).toEqual(['already-there', 'first', 'last']);
  });

  it('should store an event from before authentication with null author fields', async () => {
    const { changed_by_key_id: _id, ...older } = event({ changed_by: null });

    await recorder.record(ALL_TENANTS, older as RouteChangedEvent);

    expect(repository.stored[0]).toMatchObject({ changed_by: null, changed_by_key_id: null });
  });

  it("should refuse, as permanently invalid, events of tenants outside the writer's scope and store the others", async () => {
    const outcomes = await recorder.recordMany({ tenant: 'team-b' }, [event({ event_id: 'a-1' }), event({ event_id: 'b-1', tenant: 'team-b' })]);

    expect(outcomes[0]).toBeInstanceOf(InvalidAuditEventError);
    expect((outcomes[0] as InvalidAuditEventError).message).toContain("outside the writer's scope");
    expect(outcomes[1]).toBe('inserted');
    expect(repository.stored.map((d) => d.event_id)).toEqual(['b-1']);
  });

  it('should let a store failure of a batch through so the consumer retries', async () => {
    repository.failure = new Error('connection reset');

    await expect(recorder.recordMany(ALL_TENANTS, [event()])).rejects.toThrow('connection reset');
  });
});
