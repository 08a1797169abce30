import { ALL_TENANTS } from '../../contracts/principal';
import { AuditRecorder } from '../audit';
import { OutboxPublication, OutboxReader } from '../outbox';
import { AppliedMark, RouteCache, RouteHistoryRepository, RouteRevisionRecord } from '../route-store';

type CacheLookup = Awaited<ReturnType<RouteCache['lookup']>>;
import { WebhookDeliveriesRepository } from '../webhooks';
import { RoutePropagation } from './route-propagation';
import { RouteNotFoundError, RouteRevisionNotFoundError } from './routes.errors';

const key = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' };
const committedAt = new Date('2026-12-03T10:00:00.000Z');
const revisionRecord = (overrides: Partial<RouteRevisionRecord> = {}): RouteRevisionRecord => ({
  revision: 4,
  action: 'updated',
  url: 'https://b.example.com',
  isActive: true,
  changedAt: committedAt,
  changedBy: 'deploy-bot',
  changedByKeyId: 'k1',
  correlationId: 'c1',
  eventId: 'e4',
  ...overrides,
});

interface Fakes {
  found?: Awaited<ReturnType<RouteHistoryRepository['findRevision']>>;
  lookup?: CacheLookup;
  marks?: Map<string, AppliedMark> | Error;
  publication?: OutboxPublication | Error;
  recordedAt?: Date | null | Error;
  webhooks?: { queuedAt: Date | null; wanted: boolean } | Error;
}

function propagation(fakes: Fakes = {}) {
  const found = 'found' in fakes ? fakes.found : { currentRevision: 5, oldestRevision: 1, revision: revisionRecord() };
  const repository = { findRevision: jest.fn().mockResolvedValue(found) } as unknown as RouteHistoryRepository;
  const marks = fakes.marks ?? new Map();
  const cache = {
    lookup: jest.fn().mockResolvedValue(fakes.lookup ?? { kind: 'hit', url: 'https://b.example.com', revision: 5 }),
    appliedMarks: jest.fn(() => (marks instanceof Error ? Promise.reject(marks) : Promise.resolve(marks))),
  } as unknown as RouteCache;
  const publication = fakes.publication ?? { kept: true, publishedAt: new Date('2026-12-03T10:00:00.020Z') };
  const outbox = {
    publication: jest.fn(() => (publication instanceof Error ? Promise.reject(publication) : Promise.resolve(publication))),
  } as unknown as OutboxReader;
  const recordedAt = 'recordedAt' in fakes ? fakes.recordedAt : new Date('2026-12-03T10:00:00.090Z');
  const audit = {
    recordedAt: jest.fn(() => (recordedAt instanceof Error ? Promise.reject(recordedAt) : Promise.resolve(recordedAt))),
  } as unknown as AuditRecorder;
  const queue = fakes.webhooks ?? { queuedAt: null, wanted: false };
  const webhooks = {
    queueState: jest.fn(() => (queue instanceof Error ? Promise.reject(queue) : Promise.resolve(queue))),
  } as unknown as WebhookDeliveriesRepository;
  return { service: new RoutePropagation(repository, cache, outbox, audit, webhooks), repository, outbox, audit, webhooks };
}

const mark = (revision: number, at = '2026-12-03T10:00:00.050Z'): AppliedMark => ({ revision, appliedAt: new Date(at) });

describe('RoutePropagation', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-03T10:00:01.000Z'), doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('should report every stage done and the change live when each store has it or a later revision', async () => {
    const { service } = propagation({
      marks: new Map([
        ['cache_invalidation', mark(4)],
        ['cache_warming', mark(5)],
      ]),
    });

    const status = await service.status(ALL_TENANTS, key, 4);

    expect(status).toEqual({
      revision: 4,
      currentRevision: 5,
      live: true,
      stages: {
        committed: { state: 'done', at: committedAt },
        published: { state: 'done', at: new Date('2026-12-03T10:00:00.020Z') },
        shared_cache: { state: 'done', at: null, revision: 5 },
        cache_invalidation: { state: 'done', at: new Date('2026-12-03T10:00:00.050Z'), revision: 4 },
        cache_warming: { state: 'done', at: new Date('2026-12-03T10:00:00.050Z'), revision: 5 },
        audit_log: { state: 'done', at: new Date('2026-12-03T10:00:00.090Z') },
        webhooks: { state: 'done', at: null },
      },
    });
  });

  it('should report pending stages, and not live, while the groups have not reached the revision', async () => {
    const { service } = propagation({
      marks: new Map([['cache_invalidation', mark(3)]]),
      lookup: { kind: 'negative', revision: 3 },
      publication: { kept: true, publishedAt: null },
      recordedAt: null,
    });

    const status = await service.status(ALL_TENANTS, key, 4);

    expect(status.live).toBe(false);
    expect(status.stages).toMatchObject({
      published: { state: 'pending', at: null },
      shared_cache: { state: 'pending', revision: 3 },
      cache_invalidation: { state: 'pending', at: null, revision: 3 },
      cache_warming: { state: 'pending', at: null, revision: null },
      audit_log: { state: 'pending', at: null },
    });
  });

  it('should report a shared cache miss as done (a miss reads PostgreSQL) and a removed outbox row as published', async () => {
    const { service } = propagation({ lookup: { kind: 'miss' }, publication: { kept: false } });

    const { stages } = await service.status(ALL_TENANTS, key, 4);

    expect(stages.shared_cache).toEqual({ state: 'done', at: null, revision: null });
    expect(stages.published).toEqual({ state: 'done', at: null });
  });

  it('should report unknown, and live null, for the stages of a store that cannot be read', async () => {
    const { service } = propagation({
      lookup: { kind: 'error' },
      marks: new Error('Redis down'),
      publication: new Error('breaker open'),
      recordedAt: new Error('MongoDB down'),
      webhooks: new Error('breaker open'),
    });

    const status = await service.status(ALL_TENANTS, key, 4);

    expect(status.live).toBeNull();
    expect(status.stages).toEqual({
      committed: { state: 'done', at: committedAt },
      published: { state: 'unknown', at: null },
      shared_cache: { state: 'unknown', at: null, revision: null },
      cache_invalidation: { state: 'unknown', at: null, revision: null },
      cache_warming: { state: 'unknown', at: null, revision: null },
      audit_log: { state: 'unknown', at: null },
      webhooks: { state: 'unknown', at: null },
    });
  });

  it('should report webhooks pending while a webhook wants the event and none is queued, done once queued or when none wants it', async () => {
    const queuedAt = new Date('2026-12-03T10:00:00.070Z');
    expect((await propagation({ webhooks: { queuedAt: null, wanted: true } }).service.status(ALL_TENANTS, key, 4)).stages.webhooks).toEqual({
      state: 'pending',
      at: null,
    });
    expect((await propagation({ webhooks: { queuedAt, wanted: true } }).service.status(ALL_TENANTS, key, 4)).stages.webhooks).toEqual({
      state: 'done',
      at: queuedAt,
    });
    const none = propagation({ webhooks: { queuedAt: null, wanted: false } });
    expect((await none.service.status(ALL_TENANTS, key, 4)).stages.webhooks).toEqual({ state: 'done', at: null });
    expect(none.webhooks.queueState).toHaveBeenCalledWith(
      expect.objectContaining({ tenant: key.tenant, service: key.service, eventId: expect.any(String) }),
    );
  });

  it('should report unknown for the stages of a revision without an event (a baseline) and not ask for one', async () => {
    const { service, outbox, audit } = propagation({
      found: { currentRevision: 4, oldestRevision: 4, revision: revisionRecord({ eventId: null, action: 'baseline' }) },
    });

    const { stages } = await service.status(ALL_TENANTS, key);

    expect(stages.published.state).toBe('unknown');
    expect(stages.audit_log.state).toBe('unknown');
    expect(outbox.publication).not.toHaveBeenCalled();
    expect(audit.recordedAt).not.toHaveBeenCalled();
  });

  it('should report a missing mark as unknown, not pending, once the revision is older than marks are kept', async () => {
    jest.setSystemTime(new Date('2026-12-11T10:00:00.000Z'));
    const { service } = propagation({ marks: new Map([['cache_warming', mark(2)]]) });

    const { stages, live } = await service.status(ALL_TENANTS, key, 4);

    expect(stages.cache_invalidation).toEqual({ state: 'unknown', at: null, revision: null });
    expect(stages.cache_warming).toEqual({ state: 'unknown', at: null, revision: 2 });
    expect(live).toBeNull();
  });

  it('should ask for the current revision when none is named, and refuse routes and revisions that are not there', async () => {
    const { service, repository } = propagation();
    await service.status(ALL_TENANTS, key);
    expect(repository.findRevision).toHaveBeenCalledWith(ALL_TENANTS, key, null);

    await expect(propagation({ found: null }).service.status(ALL_TENANTS, key, 1)).rejects.toBeInstanceOf(RouteNotFoundError);
    const notKept = propagation({ found: { currentRevision: 5, oldestRevision: 2, revision: null } }).service.status(ALL_TENANTS, key, 1);
    await expect(notKept).rejects.toBeInstanceOf(RouteRevisionNotFoundError);
    await expect(notKept).rejects.toThrow(
      'team-a/payments/prod/v2 has no revision 1 kept; revisions before 2 are no longer kept (ROUTE_HISTORY_LIMIT); 2 to 5 are',
    );
  });
});
