import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { InvalidationBus } from '../../infra/redis/invalidation-bus';
import { RouteCache } from '../route-store/route-cache';
import { CacheLookup } from '../route-store/route-cache-codec';
import { RouteSnapshot } from '../route-store/route-record';
import { RoutesRepository } from '../route-store/routes.repository';
import { ActiveRouteNotFoundError, RevisionNotCommittedError } from './resolve.errors';
import { ResolveService } from './resolve.service';
import { CircuitOpenError } from '../resilience/resilience.errors';
import { Bulkheads } from '../resilience/bulkheads';
import { LocalRouteCache } from './local-route-cache';

// No per-tenant limit in these cases (Bulkheads.runForTenant has its own spec).
const unlimited = { runForTenant: <T>(_tenant: string, work: () => Promise<T>) => work() } as unknown as Bulkheads;

const key = { tenant: 't', service: 's', env: 'e', version: 'v1' };

function setup(lookup: CacheLookup, snapshot: RouteSnapshot | null = null, local = false) {
  const registers = [new Registry()];
  const counter = (name: string) => new Counter({ name, help: name, registers });
  const cache = {
    lookup: jest.fn().mockResolvedValue(lookup),
    lookupMany: jest.fn((ids: string[]): Promise<CacheLookup[]> => Promise.resolve(ids.map(() => ({ kind: 'miss' })))),
    fill: jest.fn().mockResolvedValue(true),
  };
  const repository = { findSnapshot: jest.fn().mockResolvedValue(snapshot) };
  const bus = { live: true, listen: jest.fn() };
  const config = {
    localCacheEnabled: local,
    localCacheTtlMs: 60_000,
    localCacheMaxEntries: 100,
    localCacheRefreshAfter: 0.5,
    maxWatchers: 2,
    maxWatchStreams: 10,
  };
  const refreshes = new Counter({ name: 'refresh', help: 'refresh', labelNames: ['result'], registers });
  const sut = new ResolveService(
    cache as unknown as RouteCache,
    repository as unknown as RoutesRepository,
    bus as unknown as InvalidationBus,
    unlimited,
    config,
    counter('requests'),
    counter('hits'),
    counter('misses'),
    counter('negative'),
    counter('local'),
    counter('db'),
    new Histogram({ name: 'latency', help: 'latency', registers }),
    counter('fallback'),
    refreshes,
    new Gauge({ name: 'watchers', help: 'watchers', registers }),
  );
  return { sut, cache, repository, bus, refreshes };
}

describe(ResolveService.name, () => {
  it('should answer a cache hit without asking the repository', async () => {
    const { sut, repository } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 });

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 3 });
    expect(repository.findSnapshot).not.toHaveBeenCalled();
  });

  it('should answer a negative entry with not found without asking the repository', async () => {
    const { sut, repository } = setup({ kind: 'negative', revision: 2 });

    await expect(sut.resolve(key)).rejects.toBeInstanceOf(ActiveRouteNotFoundError);
    expect(repository.findSnapshot).not.toHaveBeenCalled();
  });

  it('should load from the repository and cache the result on a miss', async () => {
    const snapshot = { url: 'https://a.example.com', active: true, revision: 5 };
    const { sut, cache } = setup({ kind: 'miss' }, snapshot);

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 5 });
    expect(cache.fill).toHaveBeenCalledWith(key, snapshot);
  });

  it('should answer from the repository without writing back when the Redis lookup failed', async () => {
    const snapshot = { url: 'https://a.example.com', active: true, revision: 5 };
    const { sut, cache } = setup({ kind: 'error' }, snapshot);

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 5 });
    expect(cache.fill).not.toHaveBeenCalled();
  });

  it('should hold a PostgreSQL answer read while Redis failed for about a second only', async () => {
    const snapshot = { url: 'https://a.example.com', active: true, revision: 5 };
    const { sut, cache, repository } = setup({ kind: 'error' }, snapshot, true);
    const now = jest.spyOn(performance, 'now').mockReturnValue(1_000);
    try {
      await sut.resolve(key);
      now.mockReturnValue(1_700);
      await sut.resolve(key);
      expect(repository.findSnapshot).toHaveBeenCalledTimes(1);

      now.mockReturnValue(2_300);
      cache.lookup.mockResolvedValue({ kind: 'miss' });
      await sut.resolve(key);
      expect(repository.findSnapshot).toHaveBeenCalledTimes(2);
      expect(cache.fill).toHaveBeenCalledWith(key, snapshot);
    } finally {
      now.mockRestore();
    }
  });

  it('should cache a missing route as a negative entry of revision 0', async () => {
    const { sut, cache } = setup({ kind: 'miss' }, null);

    await expect(sut.resolve(key)).rejects.toBeInstanceOf(ActiveRouteNotFoundError);
    expect(cache.fill).toHaveBeenCalledWith(key, { url: null, active: false, revision: 0 });
  });

  it('should answer repeated resolves from the in-process tier without asking Redis again', async () => {
    const { sut, cache } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 }, null, true);

    await sut.resolve(key);
    await sut.resolve(key);

    expect(cache.lookup).toHaveBeenCalledTimes(1);
  });

  it('should drop the in-process entry when a change is announced and refuse an older Redis value', async () => {
    const snapshot = { url: 'https://new.example.com', active: true, revision: 4 };
    const { sut, cache, repository } = setup({ kind: 'hit', url: 'https://old.example.com', revision: 3 }, snapshot, true);
    await sut.resolve(key);

    sut.onInvalidation('4|t:s:e:v1');

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://new.example.com', revision: 4 });
    expect(cache.lookup).toHaveBeenCalledTimes(2);
    expect(repository.findSnapshot).toHaveBeenCalledTimes(1);
  });

  it('should bypass the in-process tier while the invalidation channel is down', async () => {
    const { sut, cache, bus } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 }, null, true);
    await sut.resolve(key);
    bus.live = false;

    await sut.resolve(key);

    expect(cache.lookup).toHaveBeenCalledTimes(2);
  });

  it('should send concurrent misses for one route to the repository once', async () => {
    const snapshot = { url: 'https://a.example.com', active: true, revision: 5 };
    const { sut, repository } = setup({ kind: 'miss' }, snapshot);

    const answers = await Promise.all(Array.from({ length: 50 }, () => sut.resolve(key)));

    expect(answers.every((a) => a.url === 'https://a.example.com')).toBe(true);
    expect(repository.findSnapshot).toHaveBeenCalledTimes(1);
  });
});

describe(`${ResolveService.name} while PostgreSQL is unavailable`, () => {
  it('should answer from an expired in-process entry, marked as a fallback, when the database breaker is open', async () => {
    try {
      const registers = [new Registry()];
      const counter = (name: string) => new Counter({ name, help: name, registers });
      const cache = { lookup: jest.fn().mockResolvedValue({ kind: 'hit', url: 'https://a.example.com', revision: 3 }), fill: jest.fn() };
      const repository = { findSnapshot: jest.fn().mockRejectedValue(new CircuitOpenError('database')) };
      const config = {
        localCacheEnabled: true,
        localCacheTtlMs: 1000,
        localCacheMaxEntries: 100,
        localCacheRefreshAfter: 1,
        maxWatchers: 0,
        maxWatchStreams: 10,
      };
      const sut = new ResolveService(
        cache as unknown as RouteCache,
        repository as unknown as RoutesRepository,
        { live: true, listen: jest.fn() } as unknown as InvalidationBus,
        unlimited,
        config,
        ...(['requests', 'hits', 'misses', 'negative', 'local', 'db'].map(counter) as [Counter, Counter, Counter, Counter, Counter, Counter]),
        new Histogram({ name: 'latency', help: 'latency', registers }),
        counter('fallback'),
        new Counter({ name: 'refresh', help: 'refresh', labelNames: ['result'], registers }),
        new Gauge({ name: 'watchers', help: 'watchers', registers }),
      );
      await sut.resolve(key);
      // The entry's TTL ran out: get() no longer returns it, getStale() still does.
      jest.spyOn(LocalRouteCache.prototype, 'get').mockReturnValue(undefined);
      cache.lookup.mockResolvedValue({ kind: 'error' });

      await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 3, fallback: true });
      await expect(sut.resolve({ ...key, version: 'other' })).rejects.toBeInstanceOf(CircuitOpenError);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe(`${ResolveService.name} refresh-ahead of the in-process tier`, () => {
  const id = 't:s:e:v1';
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  // Lets the queued refresh (its gathering timer, then the MGET's promise) run.
  async function settle(): Promise<void> {
    jest.runOnlyPendingTimers();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  it('should fetch a route hit late in its life again from Redis in one batch, while serving the held entry', async () => {
    const { sut, cache, refreshes } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 }, null, true);
    await sut.resolve(key);
    cache.lookupMany.mockResolvedValue([{ kind: 'hit', url: 'https://b.example.com', revision: 4 }]);

    jest.advanceTimersByTime(20_000); // before 0.5 x the shortest jittered lifetime (48 s): not due
    sut.fromMemory(key);
    await settle();
    expect(cache.lookupMany).not.toHaveBeenCalled();

    jest.advanceTimersByTime(25_000); // 45 s: due, still alive
    expect(sut.fromMemory(key)).toEqual({ url: 'https://a.example.com', revision: 3 });
    sut.fromMemory(key); // asked for once per lifetime, however often it is hit
    await settle();
    expect(cache.lookupMany).toHaveBeenCalledTimes(1);
    expect(cache.lookupMany).toHaveBeenCalledWith([id]);
    expect(sut.fromMemory(key)).toEqual({ url: 'https://b.example.com', revision: 4 });

    jest.advanceTimersByTime(40_000); // past the first lifetime: the refresh started a new one
    expect(sut.fromMemory(key)).toEqual({ url: 'https://b.example.com', revision: 4 });
    expect((await refreshes.get()).values).toEqual([expect.objectContaining({ labels: { result: 'refreshed' }, value: 1 })]);
    expect(cache.lookup).toHaveBeenCalledTimes(1);
  });

  it('should never take an older revision from a refresh, and let an entry Redis no longer holds expire', async () => {
    const { sut, cache } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 }, null, true);
    await sut.resolve(key);
    cache.lookupMany.mockResolvedValue([{ kind: 'hit', url: 'https://old.example.com', revision: 2 }]);
    jest.advanceTimersByTime(45_000);
    sut.fromMemory(key);
    await settle();
    expect(sut.fromMemory(key)).toEqual({ url: 'https://a.example.com', revision: 3 });

    const other = { ...key, version: 'v2' };
    await sut.resolve(other);
    cache.lookupMany.mockResolvedValue([{ kind: 'miss' }]);
    jest.advanceTimersByTime(45_000);
    sut.fromMemory(other);
    await settle();
    jest.advanceTimersByTime(30_000);
    expect(sut.fromMemory(other)).toBeUndefined();
  });

  it('should not refresh while the invalidation channel is down', async () => {
    const { sut, cache, bus } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 }, null, true);
    await sut.resolve(key);
    jest.advanceTimersByTime(45_000);
    sut.fromMemory(key);
    bus.live = false;
    await settle();
    expect(cache.lookupMany).not.toHaveBeenCalled();
  });
});

describe(`${ResolveService.name} with a minimum revision (X-Min-Revision)`, () => {
  const at = (revision: number, url = `https://r${revision}.example.com`) => ({ url, active: true, revision });

  it('should answer from memory or Redis when they hold the revision or a later one', async () => {
    const { sut, repository } = setup({ kind: 'hit', url: 'https://r4.example.com', revision: 4 }, at(4), true);
    await sut.resolve(key);

    expect(sut.fromMemory(key, 4)).toEqual({ url: 'https://r4.example.com', revision: 4 });
    await expect(sut.resolve({ ...key, version: 'v2' }, 3)).resolves.toEqual({ url: 'https://r4.example.com', revision: 4 });
    expect(repository.findSnapshot).not.toHaveBeenCalled();
  });

  it('should pass over an older entry in memory and in Redis and read PostgreSQL, then keep the newer entry', async () => {
    const { sut, cache, repository } = setup({ kind: 'hit', url: 'https://r3.example.com', revision: 3 }, at(5), true);
    await sut.resolve(key);

    expect(sut.fromMemory(key, 5)).toBeUndefined();
    await expect(sut.resolve(key, 5)).resolves.toEqual({ url: 'https://r5.example.com', revision: 5 });
    expect(repository.findSnapshot).toHaveBeenCalledTimes(1);
    expect(cache.fill).toHaveBeenCalledWith(key, at(5));
    expect(sut.fromMemory(key)).toEqual({ url: 'https://r5.example.com', revision: 5 });
  });

  it('should answer not found when the route was deactivated at or after the revision', async () => {
    const { sut } = setup({ kind: 'hit', url: 'https://r3.example.com', revision: 3 }, { url: 'https://r3.example.com', active: false, revision: 4 });

    await expect(sut.resolve(key, 4)).rejects.toBeInstanceOf(ActiveRouteNotFoundError);
  });

  it('should ask PostgreSQL again when the query it joined read an older revision', async () => {
    const { sut, repository } = setup({ kind: 'miss' }, at(4));
    let release!: () => void;
    repository.findSnapshot.mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(at(4)))));
    repository.findSnapshot.mockResolvedValue(at(5));

    const plain = sut.resolve(key);
    const asked = sut.resolve(key, 5);
    await new Promise((r) => setImmediate(r));
    release();

    await expect(plain).resolves.toEqual({ url: 'https://r4.example.com', revision: 4 });
    await expect(asked).resolves.toEqual({ url: 'https://r5.example.com', revision: 5 });
    expect(repository.findSnapshot).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['an existing route', at(3), 3],
    ['a route that never existed', null, 0],
  ])('should refuse a revision PostgreSQL does not have for %s (409, naming the current one)', async (_name, snapshot, current) => {
    const { sut } = setup({ kind: 'miss' }, snapshot);

    const refused = sut.resolve(key, 7);

    await expect(refused).rejects.toBeInstanceOf(RevisionNotCommittedError);
    await expect(refused).rejects.toThrow(`t/s/e/v1 is at revision ${current}; revision 7 has not been committed`);
  });

  it('should not answer from an older expired entry while PostgreSQL is unavailable', async () => {
    const { sut, cache, repository } = setup({ kind: 'hit', url: 'https://r3.example.com', revision: 3 }, null, true);
    await sut.resolve(key);
    jest.spyOn(LocalRouteCache.prototype, 'get').mockReturnValue(undefined);
    try {
      cache.lookup.mockResolvedValue({ kind: 'error' });
      repository.findSnapshot.mockRejectedValue(new CircuitOpenError('database'));

      await expect(sut.resolve(key, 4)).rejects.toBeInstanceOf(CircuitOpenError);
      await expect(sut.resolve(key, 3)).resolves.toEqual({ url: 'https://r3.example.com', revision: 3, fallback: true });
    } finally {
      jest.restoreAllMocks();
    }
  });
});
