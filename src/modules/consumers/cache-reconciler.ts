import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { METRIC } from '../../common/metrics/metric-names';
import { reconcileConfig } from '../../config/reconcile.config';
import { ALL_TENANTS } from '../../contracts/principal';
import { RouteKey, routeKeyPath, routeKeyString } from '../../contracts/route-key';
import { REDIS_CLIENT } from '../../infra/redis/redis.constants';
import { DependencyBreakers } from '../resilience';
import { CACHE_NAMESPACE, RouteCache, RouteCacheChange, RouteRecord, RoutesRepository } from '../route-store';

// Where the pass is (the last endpoint id checked) and who runs it, shared by every consumer process.
export const RECONCILE_CURSOR_KEY = `${CACHE_NAMESPACE}:reconcile:cursor`;
export const RECONCILE_LEASE_KEY = `${CACHE_NAMESPACE}:reconcile:lease`;

// Takes or renews the lease (KEYS[1]) for ARGV[1] for ARGV[2] ms; 1 when this process holds it.
const LEASE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

export type DriftKind = 'stale' | 'mismatch' | 'ahead';

// What the cache holds for a route, compared with PostgreSQL's row, read before it (see check()).
export type Verdict = { drift: DriftKind; stalenessMs?: number } | null;

type Cached = { kind: 'hit'; url: string; revision: number } | { kind: 'negative'; revision: number };

// The comparison, on its own for unit tests. `cached` was read before `row` (so the row is at least as
// new as what the cache held then). Behind by a change younger than `graceMs` is a change on its way
// through the consumers, not drift.
export function judge(cached: Cached, row: RouteRecord, now: number, graceMs: number): Verdict {
  if (cached.revision > row.revision) return { drift: 'ahead' };
  if (cached.revision < row.revision) {
    const age = now - row.updatedAt.getTime();
    return age > graceMs ? { drift: 'stale', stalenessMs: age } : null;
  }
  const same = cached.kind === 'hit' ? row.isActive && cached.url === row.url : !row.isActive;
  return same ? null : { drift: 'mismatch' };
}

// Anti-entropy for the shared cache (peer table §3 item 10, docs/design.md "Cache reconciler"). Event
// consumers keep Redis current; this finds what they missed (an event lost to a bug or an operator, a
// cache restored from a snapshot, an entry edited by hand) and repairs it, so a wrong answer cannot
// outlive one pass. It walks every route by id, CACHE_RECONCILE_BATCH per CACHE_RECONCILE_INTERVAL_MS,
// reads the batch's cache entries (one MGET) and compares them with PostgreSQL. A stale entry gets
// PostgreSQL's state through the revision-guarded store (which also tells every API instance's
// in-process tier); a mismatch at the same revision is overwritten; an entry ahead of PostgreSQL
// (a database restored to an earlier point) is deleted, so the next read fills it. Anything found is
// read again from PostgreSQL before it is repaired, so a change committed meanwhile is not taken for
// drift. One process at a time walks (a lease in Redis), and the cursor is shared, so more replicas do
// not multiply the load and a pass survives a restart.
@Injectable()
export class CacheReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CacheReconciler.name);
  private readonly throttled = new ThrottledLog(this.logger);
  private readonly holder = randomUUID();
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private stopped = false;
  private passStartedAt = Date.now();

  constructor(
    private readonly routes: RoutesRepository,
    private readonly cache: RouteCache,
    private readonly breakers: DependencyBreakers,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(reconcileConfig.KEY) private readonly config: ConfigType<typeof reconcileConfig>,
    @InjectMetric(METRIC.cacheReconcileChecked) private readonly checked: Counter<string>,
    @InjectMetric(METRIC.cacheDrift) private readonly drift: Counter<string>,
    @InjectMetric(METRIC.cacheStaleness) private readonly staleness: Histogram<string>,
    @InjectMetric(METRIC.cacheReconcilePass) private readonly passSeconds: Gauge<string>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.intervalMs > 0) this.next();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
  }

  // One batch, if this process holds the lease; how many routes it compared (0: not its turn).
  async runOnce(now = Date.now()): Promise<number> {
    const leased = await this.breakers.redis.execute(() =>
      this.redis.eval(LEASE_LUA, 1, RECONCILE_LEASE_KEY, this.holder, String(Math.max(3 * this.config.intervalMs, 5_000))),
    );
    if (leased !== 1) return 0;
    const after = Number(await this.breakers.redis.execute(() => this.redis.get(RECONCILE_CURSOR_KEY))) || 0;
    if (after === 0) this.passStartedAt = now;
    const rows = await this.routes.list(ALL_TENANTS, { afterId: after, limit: this.config.batch });
    const cached = rows.length ? await this.cache.lookupMany(rows.map((row) => routeKeyString(row))) : [];
    if (cached.some((entry) => entry.kind === 'error')) throw new Error('the cache could not be read');
    const suspects = rows.filter((row, i) => {
      const entry = cached[i];
      return (entry.kind === 'hit' || entry.kind === 'negative') && judge(entry, row, now, this.config.graceMs) !== null;
    });
    if (suspects.length) await this.repair(suspects, now);
    this.checked.inc(rows.length);
    const done = rows.length < this.config.batch;
    if (done) this.passSeconds.set((now - this.passStartedAt) / 1000);
    const cursor = done ? 0 : rows[rows.length - 1].id;
    await this.breakers.redis.execute(() => this.redis.set(RECONCILE_CURSOR_KEY, String(cursor)));
    return rows.length;
  }

  // The suspects again, cache first and then PostgreSQL, as a batch was read; what still differs is
  // drift: counted, logged and repaired.
  private async repair(suspects: RouteRecord[], now: number): Promise<void> {
    const cached = await this.cache.lookupMany(suspects.map((row) => routeKeyString(row)));
    const current = await this.routes.findMany(suspects);
    const stores: RouteCacheChange[] = [];
    const removals: RouteKey[] = [];
    suspects.forEach((suspect, i) => {
      const entry = cached[i];
      const row = current.get(routeKeyString(suspect));
      if (!row || (entry.kind !== 'hit' && entry.kind !== 'negative')) return;
      const verdict = judge(entry, row, now, this.config.graceMs);
      if (!verdict) return;
      this.drift.inc({ kind: verdict.drift });
      if (verdict.stalenessMs !== undefined) this.staleness.observe(verdict.stalenessMs / 1000);
      const found = `${routeKeyPath(row)}: cache at revision ${entry.revision}, PostgreSQL at ${row.revision}`;
      this.throttled.warn(`drift:${verdict.drift}`, `Cache drift (${verdict.drift}) repaired, e.g. ${found}; see cache_drift_total`);
      if (verdict.drift === 'ahead') removals.push(row);
      else stores.push({ key: row, snapshot: { url: row.url, active: row.isActive, revision: row.revision } });
    });
    if (stores.length) await this.cache.storeManyOrThrow(stores);
    for (const key of removals) await this.cache.removeOrThrow(key);
  }

  private next(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), this.config.intervalMs * (0.9 + Math.random() * 0.2));
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.tick = this.runOnce().then(
      () => this.throttled.clear('failing'),
      (err: unknown) => {
        this.throttled.warn('failing', `Cache reconciliation paused, retrying: ${(err as Error).message}`);
      },
    );
    await this.tick;
    this.tick = undefined;
    this.next();
  }
}
