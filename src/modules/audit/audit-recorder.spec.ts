import { ALL_TENANTS, TenantScope } from '../../contracts/principal';
import { RouteChangedEvent } from '../../contracts/route-event';
import { AuditEvent } from './audit-event.schema';
import { AuditRecorder } from './audit-recorder';
import { AuditRepository, InsertOutcome } from './audit.repository';
import { InvalidAuditEventError } from './audit.errors';
import { ChainHead, routeChainKey } from './audit-chain';
import { RouteKey } from '../../contracts/route-key';

// In memory, with MongoDB's unique indexes on event_id and chain.link and the `_id` (a chained document's chain.at).
class FakeRepository {
  readonly stored: AuditEvent[] = [];
  failure?: Error;

  async chainAt(positions: string[]): Promise<Map<string, ChainHead>> {
    if (this.failure) throw this.failure;
    const heads = new Map<string, ChainHead>();
    for (const d of this.stored)
      if (d.chain && positions.includes(d.chain.at)) heads.set(routeChainKey(d.route), { hash: d.chain.hash, revision: d.revision! });
    return heads;
  }

  async chainHeads(routes: RouteKey[]): Promise<Map<string, ChainHead>> {
    const heads = new Map<string, ChainHead>();
    for (const route of routes) {
      const key = routeChainKey(route);
      const chained = this.stored.filter((d) => routeChainKey(d.route) === key && d.chain);
      const last = chained.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
      if (last) heads.set(key, { hash: last.chain!.hash, revision: last.revision! });
    }
    return heads;
  }

  async insertLinked(_scope: TenantScope, docs: AuditEvent[]): Promise<Map<string, InsertOutcome>> {
    if (this.failure) throw this.failure;
    const outcome = new Map<string, InsertOutcome>();
    for (const doc of docs) {
      const same = this.stored.find((d) => d.event_id === doc.event_id);
      const taken = this.stored.some((d) => doc.chain && d.chain && (d.chain.link === doc.chain.link || d.chain.at === doc.chain.at));
      if (same) outcome.set(doc.event_id, (same.chain?.hash ?? null) === (doc.chain?.hash ?? null) ? 'duplicate' : 'stored-elsewhere');
      else if (taken) outcome.set(doc.event_id, 'conflict');
      else {
        this.stored.push(doc);
        outcome.set(doc.event_id, 'inserted');
      }
    }
    return outcome;
  }

  async deleteEvents(ids: string[]): Promise<void> {
    for (const id of ids)
      this.stored.splice(
        this.stored.findIndex((d) => d.event_id === id),
        1,
      );
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
      chain: { prev: null, hash: expect.stringMatching(/^[0-9a-f]{64}$/), link: 'genesis:team-a/payments/prod/v2', at: 'team-a/payments/prod/v2#4' },
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

  it("should link each route's events into one chain in revision order, across batches, and redeliveries into nothing", async () => {
    const route2 = { version: 'v3' };
    const outcomes = await recorder.recordMany(ALL_TENANTS, [
      event({ event_id: 'e2', revision: 2 }),
      event({ event_id: 'e1', revision: 1 }),
      event({ event_id: 'x1', revision: 1, ...route2 }),
    ]);
    expect(outcomes).toEqual(['inserted', 'inserted', 'inserted']);
    await recorder.recordMany(ALL_TENANTS, [event({ event_id: 'e2', revision: 2 }), event({ event_id: 'e3', revision: 3 })]);

    const byId = new Map(repository.stored.map((d) => [d.event_id, d]));
    expect(repository.stored.map((d) => d.event_id)).toEqual(['e1', 'e2', 'x1', 'e3']);
    expect(byId.get('e1')!.chain!.prev).toBeNull();
    expect(byId.get('e2')!.chain!.prev).toBe(byId.get('e1')!.chain!.hash);
    expect(byId.get('e3')!.chain!.prev).toBe(byId.get('e2')!.chain!.hash);
    expect(byId.get('x1')!.chain).toMatchObject({ prev: null, link: 'genesis:team-a/payments/prod/v3' });
  });

  it('should re-link from the real head when its quick guess collides, taking back what it stored after the collision', async () => {
    // A route whose chain has a gap (revision 3 never audited): the guess for revision 4 (after 3)
    // finds nothing and would restart the chain, colliding with the stored genesis.
    await recorder.recordMany(ALL_TENANTS, [event({ event_id: 'g1', revision: 1 }), event({ event_id: 'g2', revision: 2 })]);
    const fresh = new AuditRecorder(repository as unknown as AuditRepository); // no heads in memory
    const outcomes = await fresh.recordMany(ALL_TENANTS, [event({ event_id: 'g4', revision: 4 }), event({ event_id: 'g5', revision: 5 })]);

    expect(outcomes).toEqual(['inserted', 'inserted']);
    const byId = new Map(repository.stored.map((d) => [d.event_id, d]));
    expect(byId.get('g4')!.chain!.prev).toBe(byId.get('g2')!.chain!.hash);
    expect(byId.get('g5')!.chain!.prev).toBe(byId.get('g4')!.chain!.hash);
    expect(repository.stored.map((d) => d.event_id)).toEqual(['g1', 'g2', 'g4', 'g5']);
  });

  it('should store an event older than its chain head unchained, and store unchained what keeps conflicting rather than stall', async () => {
    await recorder.record(ALL_TENANTS, event({ event_id: 'late-5', revision: 5 }));
    const fresh = new AuditRecorder(repository as unknown as AuditRepository);
    await fresh.record(ALL_TENANTS, event({ event_id: 'late-4', revision: 4 }));
    expect(repository.stored.find((d) => d.event_id === 'late-4')!.chain).toBeUndefined();

    const insert = repository.insertLinked.bind(repository);
    jest
      .spyOn(repository, 'insertLinked')
      .mockImplementation(async (scope, docs) =>
        docs.some((d) => d.chain) ? new Map(docs.map((d) => [d.event_id, 'conflict' as const])) : insert(scope, docs),
      );
    expect(await fresh.recordMany(ALL_TENANTS, [event({ event_id: 'late-6', revision: 6 })])).toEqual(['inserted']);
    expect(repository.stored.find((d) => d.event_id === 'late-6')!.chain).toBeUndefined();
  });

  it('should answer a redelivered batch as duplicates without touching the chain', async () => {
    const batch = [event({ event_id: 'r1', revision: 1 }), event({ event_id: 'r2', revision: 2 })];
    await recorder.recordMany(ALL_TENANTS, batch);
    const before = JSON.stringify(repository.stored);
    const fresh = new AuditRecorder(repository as unknown as AuditRepository);
    expect(await fresh.recordMany(ALL_TENANTS, [...batch, event({ event_id: 'r3', revision: 3 })])).toEqual(['duplicate', 'duplicate', 'inserted']);
    expect(JSON.stringify(repository.stored.slice(0, 2))).toBe(before);
    expect(repository.stored[2].chain!.prev).toBe(repository.stored[1].chain!.hash);
  });

  it('should keep a stored copy that sits outside the chain, and link what follows it from the real head', async () => {
    // Stored before chaining existed (no chain field).
    const { chain: _none, ...legacy } = {
      ...(await (async () => {
        await recorder.record(ALL_TENANTS, event({ event_id: 'old-1', revision: 1 }));
        return repository.stored.pop()!;
      })()),
    };
    repository.stored.push(legacy as AuditEvent);
    const fresh = new AuditRecorder(repository as unknown as AuditRepository);

    expect(await fresh.recordMany(ALL_TENANTS, [event({ event_id: 'old-1', revision: 1 }), event({ event_id: 'new-2', revision: 2 })])).toEqual([
      'duplicate',
      'inserted',
    ]);
    expect(repository.stored.find((d) => d.event_id === 'old-1')!.chain).toBeUndefined();
    expect(repository.stored.find((d) => d.event_id === 'new-2')!.chain).toMatchObject({ prev: null, link: 'genesis:team-a/payments/prod/v2' });
  });
});
