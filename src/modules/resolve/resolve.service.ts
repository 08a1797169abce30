import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';
import { resolveConfig } from '../../config/resolve.config';
import { boundCounter, boundHistogram, Increment, Observe } from '../../common/metrics/bound-series';
import { METRIC } from '../../common/metrics/metric-names';
import { ALL_TENANTS } from '../../contracts/principal';
import { RouteKey, routeKeyString } from '../../contracts/route-key';
import { InvalidationBus, InvalidationListener } from '../../infra/redis/invalidation-bus';
import { RouteCache } from '../route-store';
import { RouteSnapshot } from '../route-store';
import { RoutesRepository } from '../route-store';
import { LocalEntry, LocalRouteCache } from './local-route-cache';
import { RouteWatchers, Watch } from './route-watchers';
import { ActiveRouteNotFoundError, RevisionNotCommittedError } from './resolve.errors';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { Bulkheads, CircuitOpenError } from '../resilience';

export interface ResolvedRoute {
  url: string;
  revision: number;
  // Served from an expired in-process entry because PostgreSQL could not be asked (breaker open).
  fallback?: boolean;
}

// Three tiers: this process's memory, Redis (shared), PostgreSQL (the truth). A hit in either cache
// (positive or negative) never touches PostgreSQL; concurrent misses for one route on this instance
// share one PostgreSQL query.
// Lifetime of an in-process entry read from PostgreSQL while Redis could not be asked.
const UNCACHED_LOCAL_TTL_MS = 1000;
// Refresh-ahead: routes per MGET, how long due routes are gathered before one is sent, and routes
// waiting at most (more are left to expire as usual).
const REFRESH_BATCH = 500;
const REFRESH_DELAY_MS = 50;
const REFRESH_QUEUE_MAX = 20_000;

@Injectable()
export class ResolveService implements OnModuleInit, InvalidationListener {
  private readonly logger = new Logger(ResolveService.name);
  private readonly local?: LocalRouteCache;
  private readonly inflight = new Map<string, Promise<RouteSnapshot>>();
  private readonly count: Record<'requests' | 'hits' | 'misses' | 'negativeHits' | 'localHits' | 'dbQueries' | 'fallbacks', Increment>;
  private readonly observeLatency: Observe;
  private readonly countRefresh: Record<'refreshed' | 'absent' | 'failed', Increment>;
  // Routes (routeKeyString) whose in-process entries are due for a refresh; one batch in flight or
  // scheduled at a time (`refreshing`).
  private readonly refreshQueue = new Set<string>();
  private refreshing = false;
  private readonly watchers: RouteWatchers;

  constructor(
    private readonly cache: RouteCache,
    private readonly repository: RoutesRepository,
    private readonly bus: InvalidationBus,
    private readonly bulkheads: Bulkheads,
    @Inject(resolveConfig.KEY) config: ConfigType<typeof resolveConfig>,
    @InjectMetric(METRIC.resolveRequests) requests: Counter<string>,
    @InjectMetric(METRIC.resolveCacheHit) hits: Counter<string>,
    @InjectMetric(METRIC.resolveCacheMiss) misses: Counter<string>,
    @InjectMetric(METRIC.resolveNegativeCacheHit) negativeHits: Counter<string>,
    @InjectMetric(METRIC.resolveLocalCacheHit) localHits: Counter<string>,
    @InjectMetric(METRIC.dbQueries) dbQueries: Counter<string>,
    @InjectMetric(METRIC.resolveLatency) latency: Histogram<string>,
    @InjectMetric(METRIC.resolveFallback) fallbacks: Counter<string>,
    @InjectMetric(METRIC.resolveLocalCacheRefresh) refreshes: Counter<string>,
    @InjectMetric(METRIC.resolveWatchers) watching: Gauge<string>,
  ) {
    this.watchers = new RouteWatchers(config.maxWatchers, (size) => watching.set(size));
    watching.set(0);
    if (config.localCacheEnabled) {
      this.local = new LocalRouteCache({
        maxEntries: config.localCacheMaxEntries,
        ttlMs: config.localCacheTtlMs,
        refreshAfter: config.localCacheRefreshAfter,
        onRefreshDue: (id) => this.queueRefresh(id),
      });
    }
    this.count = {
      requests: boundCounter(requests),
      hits: boundCounter(hits),
      misses: boundCounter(misses),
      negativeHits: boundCounter(negativeHits),
      localHits: boundCounter(localHits),
      dbQueries: boundCounter(dbQueries),
      fallbacks: boundCounter(fallbacks),
    };
    this.observeLatency = boundHistogram(latency);
    this.countRefresh = {
      refreshed: boundCounter(refreshes, { result: 'refreshed' }),
      absent: boundCounter(refreshes, { result: 'absent' }),
      failed: boundCounter(refreshes, { result: 'failed' }),
    };
  }

  // The channel feeds the in-process tier and the long-poll watches alike.
  onModuleInit(): void {
    this.bus.listen('r', this);
  }

  // "<revision>|<tenant:service:env:version>", published after every committed change.
  onInvalidation(payload: string): void {
    const sep = payload.indexOf('|');
    const id = payload.slice(sep + 1);
    const revision = Number(payload.slice(0, sep)) || 0;
    this.local?.invalidate(id, revision);
    // A query in flight may have read the state before this change; later callers must not join it.
    this.inflight.delete(id);
    this.watchers.changed(id, revision);
  }

  onReset(): void {
    this.local?.clear();
    // Changes may have been missed: every held long-poll answers now and its client asks again.
    this.watchers.releaseAll();
  }

  // Long-poll (Prefer: wait): ends when a revision of the route newer than `revision` is announced,
  // after `timeoutMs`, or when let go. Undefined when this instance cannot watch now: the
  // announcements are not reaching it, or it holds RESOLVE_MAX_WATCHERS already.
  watch(key: RouteKey, revision: number, timeoutMs: number): Watch | undefined {
    return this.bus.live ? this.watchers.watch(routeKeyString(key), revision, timeoutMs) : undefined;
  }

  // Lets every held long-poll go (draining: each answers at once).
  releaseWatches(): void {
    this.watchers.releaseAll();
  }

  // The answer from this process's memory, synchronously, or undefined when Redis or PostgreSQL must
  // be asked (then call resolve()). Throws ActiveRouteNotFoundError for a remembered negative entry.
  // Resolve's route calls this first, so a hit costs no promise, no bulkhead slot and no await.
  // `minRevision` (read-your-writes, X-Min-Revision): an entry older than that is not an answer.
  fromMemory(key: RouteKey, minRevision = 0): ResolvedRoute | undefined {
    // Only while the invalidation channel is up can the in-process tier not have missed a change.
    if (!this.local || !this.bus.live) return undefined;
    const started = performance.now();
    const held = this.local.get(routeKeyString(key));
    if (!held || held.revision < minRevision) return undefined;
    this.count.requests();
    this.count.localHits();
    try {
      return this.answer(key, held, true);
    } finally {
      this.observeLatency((performance.now() - started) / 1000);
    }
  }

  // With `minRevision`, every tier's answer must be at that revision or later: an older cached entry
  // counts as a miss, and a PostgreSQL query shared with others that read before the change is asked
  // again. PostgreSQL is the truth, so if it is still older the revision was never committed (409).
  async resolve(key: RouteKey, minRevision = 0): Promise<ResolvedRoute> {
    const remembered = this.fromMemory(key, minRevision);
    if (remembered) return remembered;
    this.count.requests();
    const started = performance.now();
    try {
      const id = routeKeyString(key);
      const local = this.bus.live ? this.local : undefined;
      const cached = await this.cache.lookup(key);
      if ((cached.kind === 'hit' || cached.kind === 'negative') && cached.revision >= Math.max(local?.floor(id) ?? 0, minRevision)) {
        const entry: LocalEntry =
          cached.kind === 'hit' ? { found: true, url: cached.url, revision: cached.revision } : { found: false, revision: cached.revision };
        local?.set(id, entry);
        return this.answer(key, entry, true);
      }
      if (cached.kind !== 'error') this.count.misses();
      // After a failed or timed-out lookup, skip the write-back: it would wait on the same Redis again.
      let snapshot: RouteSnapshot;
      try {
        snapshot = await this.load(key, id, cached.kind !== 'error');
      } catch (err) {
        return this.fallback(key, id, err, minRevision);
      }
      // A shared query that started before a change this instance already served, or before the one
      // the caller asked for: ask again.
      if (snapshot.revision < Math.max(local?.floor(id) ?? 0, minRevision)) snapshot = await this.query(key, cached.kind !== 'error');
      if (snapshot.revision < minRevision) throw new RevisionNotCommittedError(key, minRevision, snapshot.revision);
      const entry: LocalEntry =
        snapshot.active && snapshot.url !== null
          ? { found: true, url: snapshot.url, revision: snapshot.revision }
          : { found: false, revision: snapshot.revision };
      // When Redis could not be asked (so it was not filled either), held only briefly: long enough
      // that a Redis breaker opened by a load spike does not send every request to PostgreSQL, short
      // enough that Redis is filled again, for the other instances too, soon after it is back.
      local?.set(id, entry, cached.kind === 'error' ? UNCACHED_LOCAL_TTL_MS : undefined);
      return this.answer(key, entry, false);
    } finally {
      this.observeLatency((performance.now() - started) / 1000);
    }
  }

  // Refresh-ahead (LocalRouteCache): a hit late in an entry's life queues the route; the queue is read
  // from Redis in MGETs of up to REFRESH_BATCH routes, off the request path, one batch at a time.
  // Redis only, never PostgreSQL: a route Redis no longer holds is left to expire, and its next
  // request takes the usual path. set() keeps the revision rule, so a refresh can never bring back
  // a revision older than one this instance saw.
  private queueRefresh(id: string): void {
    if (this.refreshQueue.size >= REFRESH_QUEUE_MAX) return;
    this.refreshQueue.add(id);
    this.scheduleRefresh();
  }

  // Routes fall due one request at a time; waiting REFRESH_DELAY_MS gathers them into batches (sent
  // at once, a batch held a few keys: thousands of MGETs a second, and the queue fell behind).
  private scheduleRefresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    setTimeout(() => {
      this.refresh().catch((err: unknown) => this.logger.error(`In-process tier refresh failed: ${(err as Error).message}`));
    }, REFRESH_DELAY_MS).unref();
  }

  private async refresh(): Promise<void> {
    try {
      while (this.refreshQueue.size > 0 && this.bus.live) {
        const ids: string[] = [];
        for (const id of this.refreshQueue) {
          this.refreshQueue.delete(id);
          ids.push(id);
          if (ids.length === REFRESH_BATCH) break;
        }
        const found = await this.cache.lookupMany(ids);
        // The channel may have dropped while Redis answered: then the tier was cleared and is unused.
        const local = this.bus.live ? this.local : undefined;
        for (const [i, id] of ids.entries()) {
          const got = found[i];
          if (got.kind === 'hit') local?.set(id, { found: true, url: got.url, revision: got.revision });
          else if (got.kind === 'negative') local?.set(id, { found: false, revision: got.revision });
          this.countRefresh[got.kind === 'miss' ? 'absent' : got.kind === 'error' ? 'failed' : 'refreshed']();
        }
        // Less than a full batch left: gather more first.
        if (this.refreshQueue.size < REFRESH_BATCH) break;
      }
    } finally {
      if (!this.bus.live) this.refreshQueue.clear();
      this.refreshing = false;
      if (this.refreshQueue.size > 0) this.scheduleRefresh();
    }
  }

  // PostgreSQL is down or its breaker is open: an expired in-process entry is better than nothing,
  // marked as such; without one the error stands (503).
  private fallback(key: RouteKey, id: string, err: unknown, minRevision: number): ResolvedRoute {
    const stale = err instanceof CircuitOpenError || isInfrastructureFailure(err) ? this.local?.getStale(id) : undefined;
    if (!stale || stale.revision < minRevision) throw err;
    this.count.fallbacks();
    if (!stale.found) throw new ActiveRouteNotFoundError(key);
    return { url: stale.url, revision: stale.revision, fallback: true };
  }

  private answer(key: RouteKey, entry: LocalEntry, fromCache: boolean): ResolvedRoute {
    if (!entry.found) {
      if (fromCache) this.count.negativeHits();
      throw new ActiveRouteNotFoundError(key);
    }
    if (fromCache) this.count.hits();
    return { url: entry.url, revision: entry.revision };
  }

  private load(key: RouteKey, id: string, writeBack: boolean): Promise<RouteSnapshot> {
    let pending = this.inflight.get(id);
    if (!pending) {
      const started: Promise<RouteSnapshot> = this.query(key, writeBack).finally(() => {
        if (this.inflight.get(id) === started) this.inflight.delete(id);
      });
      pending = started;
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async query(key: RouteKey, writeBack: boolean): Promise<RouteSnapshot> {
    this.count.dbQueries();
    // The tiers are shared by every caller, so the loader sees all tenants; the caller's scope is
    // checked before the lookup, where the key is authenticated.
    // Within the tenant's share of the pool (Bulkheads.runForTenant), so one tenant's misses leave
    // connections for everyone else's.
    const found = await this.bulkheads.runForTenant(key.tenant, () => this.repository.findSnapshot(ALL_TENANTS, key));
    const snapshot = found ?? { url: null, active: false, revision: 0 };
    if (writeBack) await this.cache.fill(key, snapshot);
    return snapshot;
  }
}
