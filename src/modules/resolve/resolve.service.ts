import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { RouteKey } from '../../contracts/route-key';
import { RouteCache } from '../route-store/route-cache';
import { RoutesRepository } from '../route-store/routes.repository';
import { ActiveRouteNotFoundError } from './resolve.errors';

export interface ResolvedRoute {
  url: string;
  revision: number;
}

@Injectable()
export class ResolveService {
  constructor(
    private readonly cache: RouteCache,
    private readonly repository: RoutesRepository,
    @InjectMetric(METRIC.resolveRequests) private readonly requests: Counter<string>,
    @InjectMetric(METRIC.resolveCacheHit) private readonly hits: Counter<string>,
    @InjectMetric(METRIC.resolveCacheMiss) private readonly misses: Counter<string>,
    @InjectMetric(METRIC.resolveNegativeCacheHit) private readonly negativeHits: Counter<string>,
    @InjectMetric(METRIC.dbQueries) private readonly dbQueries: Counter<string>,
    @InjectMetric(METRIC.resolveLatency) private readonly latency: Histogram<string>,
  ) {}

  // Cache-aside: a hit (positive or negative) answers from Redis alone and never touches PostgreSQL.
  // A miss, or Redis failing or slower than REDIS_COMMAND_TIMEOUT_MS, falls back to PostgreSQL.
  async resolve(key: RouteKey): Promise<ResolvedRoute> {
    this.requests.inc();
    const stopTimer = this.latency.startTimer();
    try {
      const cached = await this.cache.lookup(key);
      if (cached.kind === 'hit') {
        this.hits.inc();
        return { url: cached.url, revision: cached.revision };
      }
      if (cached.kind === 'negative') {
        this.negativeHits.inc();
        throw new ActiveRouteNotFoundError(key);
      }
      if (cached.kind === 'miss') this.misses.inc();
      // After a failed or timed-out lookup, skip the write-back: it would wait on the same Redis again.
      return await this.load(key, cached.kind === 'miss');
    } finally {
      stopTimer();
    }
  }

  private async load(key: RouteKey, writeBack: boolean): Promise<ResolvedRoute> {
    this.dbQueries.inc();
    const snapshot = (await this.repository.findSnapshot(key)) ?? { url: null, active: false, revision: 0 };
    if (writeBack) await this.cache.store(key, snapshot);
    if (!snapshot.active || snapshot.url === null) throw new ActiveRouteNotFoundError(key);
    return { url: snapshot.url, revision: snapshot.revision };
  }
}
