import { RouteChangedEvent } from '../../contracts/route-event';
import { AuditEvent } from './audit-event.schema';
import { AuditRecorder } from './audit-recorder';
import { AuditRepository } from './audit.repository';
import { InvalidAuditEventError } from './audit.errors';

class FakeRepository {
  readonly stored: AuditEvent[] = [];
  failure?: Error;

  async insert(doc: AuditEvent): Promise<'inserted' | 'duplicate'> {
    if (this.failure) throw this.failure;
    if (this.stored.some((d) => d.event_id === doc.event_id)) return 'duplicate';
    this.stored.push(doc);
    return 'inserted';
  }

  async insertMany(docs: AuditEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    const outcomes: Array<'inserted' | 'duplicate'> = [];
    for (const doc of docs) outcomes.push(await this.insert(doc));
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
  changed_by: null,
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

  it('should store the seed document shape with the route nested, correlation id kept and empty metadata', async () => {
    const before = Date.now();
    await expect(recorder.record(event())).resolves.toBe('inserted');

    const [doc] = repository.stored;
    expect(doc).toEqual({
      event_id: '0b8e2c1e-5f7a-4c1d-9d2e-7a6b5c4d3e2f',
      event_type: 'route_changed',
      action: 'updated',
      route: { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' },
      url: 'https://new.example.com',
      previous_url: 'https://old.example.com',
      previous_state: 'active',
      changed_by: null,
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
    await recorder.record(event({ occurred_at: occurredAt }));

    expect(repository.stored[0].occurred_at.toISOString()).toBe(expected);
  });

  it('should report a second delivery of the same event_id as a duplicate', async () => {
    await recorder.record(event());

    await expect(recorder.record(event({ url: 'https://other.example.com' }))).resolves.toBe('duplicate');
    expect(repository.stored).toHaveLength(1);
  });

  it('should let a store failure through so the consumer retries', async () => {
    repository.failure = Object.assign(new Error('Server selection timed out'), { name: 'MongoServerSelectionError' });

    await expect(recorder.record(event())).rejects.toThrow('Server selection timed out');
  });

  it.each([
    ['an unreadable occurred_at', { occurred_at: 'yesterday' }, 'occurred_at'],
    ['an unknown action', { action: 'deleted' as never }, 'action'],
    ['an empty tenant', { tenant: '' }, 'tenant'],
    ['no event_id', { event_id: undefined as never }, 'event_id'],
  ])('should refuse an event with %s as permanently invalid', async (_name, patch, field) => {
    const attempt = recorder.record(event(patch));

    await expect(attempt).rejects.toThrow(InvalidAuditEventError);
    await expect(attempt).rejects.toThrow(field);
    expect(repository.stored).toHaveLength(0);
  });

  it('should store a batch, answering per event in order, with an invalid event refused in its place', async () => {
    await recorder.record(event({ event_id: 'already-there' }));

    const outcomes = await recorder.recordMany([
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

  it('should let a store failure of a batch through so the consumer retries', async () => {
    repository.failure = new Error('connection reset');

    await expect(recorder.recordMany([event()])).rejects.toThrow('connection reset');
  });
});
