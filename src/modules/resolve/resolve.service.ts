import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { resolveConfig } from '../../config/resolve.config';
import { METRIC } from '../../common/metrics/metric-names';
import { RouteKey, routeKeyString } from '../../contracts/route-key';
import { InvalidationBus, InvalidationListener } from '../../infra/redis/invalidation-bus';
import { RouteCache } from '../route-store';
import { RouteSnapshot } from '../route-store';
import { RoutesRepository } from '../route-store';
import { LocalEntry, LocalRouteCache } from './local-route-cache';
import { ActiveRouteNotFoundError } from './resolve.errors';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { CircuitOpenError } from '../resilience';

export interface ResolvedRoute {
  url: string;
  revision: number;
  // Served from an expired in-process entry because PostgreSQL could not be asked (breaker open).
  fallback?: boolean;
}

// Three tiers: this process's memory, Redis (shared), PostgreSQL (the truth). A hit in either cache
// (positive or negative) never touches PostgreSQL; concurrent misses for one route on this instance
// share one PostgreSQL query.
@Injectable()
export class ResolveService implements OnModuleInit, InvalidationListener {
  private readonly local?: LocalRouteCache;
  private readonly inflight = new Map<string, Promise<RouteSnapshot>>();

  constructor(
    private readonly cache: RouteCache,
    private readonly repository: RoutesRepository,
    private readonly bus: InvalidationBus,
    @Inject(resolveConfig.KEY) config: ConfigType<typeof resolveConfig>,
    @InjectMetric(METRIC.resolveRequests) private readonly requests: Counter<string>,
    @InjectMetric(METRIC.resolveCacheHit) private readonly hits: Counter<string>,
    @InjectMetric(METRIC.resolveCacheMiss) private readonly misses: Counter<string>,
    @InjectMetric(METRIC.resolveNegativeCacheHit) private readonly negativeHits: Counter<string>,
    @InjectMetric(METRIC.resolveLocalCacheHit) private readonly localHits: Counter<string>,
    @InjectMetric(METRIC.dbQueries) private readonly dbQueries: Counter<string>,
    @InjectMetric(METRIC.resolveLatency) private readonly latency: Histogram<string>,
    @InjectMetric(METRIC.resolveFallback) private readonly fallbacks: Counter<string>,
  ) {
    if (config.localCacheEnabled) {
      this.local = new LocalRouteCache({ maxEntries: config.localCacheMaxEntries, ttlMs: config.localCacheTtlMs });
    }
  }

  onModuleInit(): void {
    if (this.local) this.bus.listen('r', this);
  }

  // "<revision>|<tenant:service:env:version>", published after every committed change.
  onInvalidation(payload: string): void {
    const sep = payload.indexOf('|');
    this.local?.invalidate(payload.slice(sep + 1), Number(payload.slice(0, sep)) || 0);
  }

  onReset(): void {
    this.local?.clear();
  }

  async resolve(key: RouteKey): Promise<ResolvedRoute> {
    this.requests.inc();
    const stopTimer = this.latency.startTimer();
    try {
      const id = routeKeyString(key);
      // Only while the invalidation channel is up can the in-process tier not have missed a change.
      const local = this.bus.live ? this.local : undefined;
      const held = local?.get(id);
      if (held) {
        this.localHits.inc();
        return this.answer(key, held, true);
      }
      const cached = await this.cache.lookup(key);
      if ((cached.kind === 'hit' || cached.kind === 'negative') && cached.revision >= (local?.floor(id) ?? 0)) {
        const entry: LocalEntry =
          cached.kind === 'hit' ? { found: true, url: cached.url, revision: cached.revision } : { found: false, revision: cached.revision };
        local?.set(id, entry);
        return this.answer(key, entry, true);
      }
      if (cached.kind !== 'error') this.misses.inc();
      // After a failed or timed-out lookup, skip the write-back: it would wait on the same Redis again.
      let snapshot: RouteSnapshot;
      try {
        snapshot = await this.load(key, id, cached.kind !== 'error');
      } catch (err) {
        return this.fallback(key, id, err);
      }
      // A shared query that started before a change this instance already served: ask again.
      if (local && snapshot.revision < local.floor(id)) snapshot = await this.query(key, cached.kind !== 'error');
      const entry: LocalEntry =
        snapshot.active && snapshot.url !== null
          ? { found: true, url: snapshot.url, revision: snapshot.revision }
          : { found: false, revision: snapshot.revision };
      local?.set(id, entry);
      return this.answer(key, entry, false);
    } finally {
      stopTimer();
    }
  }

  // PostgreSQL is down or its breaker is open: an expired in-process entry is better than nothing,
  // marked as such; without one the error stands (503).
  private fallback(key: RouteKey, id: string, err: unknown): ResolvedRoute {
    const stale = err instanceof CircuitOpenError || isInfrastructureFailure(err) ? this.local?.getStale(id) : undefined;
    if (!stale) throw err;
    this.fallbacks.inc();
    if (!stale.found) throw new ActiveRouteNotFoundError(key);
    return { url: stale.url, revision: stale.revision, fallback: true };
  }

  private answer(key: RouteKey, entry: LocalEntry, fromCache: boolean): ResolvedRoute {
    if (!entry.found) {
      if (fromCache) this.negativeHits.inc();
      throw new ActiveRouteNotFoundError(key);
    }
    if (fromCache) this.hits.inc();
    return { url: entry.url, revision: entry.revision };
  }

  private load(key: RouteKey, id: string, writeBack: boolean): Promise<RouteSnapshot> {
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.query(key, writeBack).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async query(key: RouteKey, writeBack: boolean): Promise<RouteSnapshot> {
    this.dbQueries.inc();
    const snapshot = (await this.repository.findSnapshot(key)) ?? { url: null, active: false, revision: 0 };
    if (writeBack) await this.cache.fill(key, snapshot);
    return snapshot;
  }
}
