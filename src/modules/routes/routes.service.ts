import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClsService } from 'nestjs-cls';
import { Counter, Histogram } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { RouteKey } from '../../contracts/route-key';
import { RouteCache } from '../route-store/route-cache';
import { RouteListFilter, RouteRecord } from '../route-store/route-record';
import { RouteTransaction } from '../route-store/route-transaction';
import { RoutesRepository } from '../route-store/routes.repository';
import { buildEvent, Intent, planChange } from './route-change';
import { RouteNotFoundError } from './routes.errors';

export interface WriteResult {
  route: RouteRecord;
  created: boolean;
  changed: boolean;
}

@Injectable()
export class RoutesService {
  constructor(
    private readonly repository: RoutesRepository,
    private readonly cache: RouteCache,
    private readonly cls: ClsService,
    @InjectMetric(METRIC.writeRequests) private readonly requests: Counter<string>,
    @InjectMetric(METRIC.writeSuccess) private readonly successes: Counter<string>,
    @InjectMetric(METRIC.writeFailure) private readonly failures: Counter<string>,
    @InjectMetric(METRIC.writeLatency) private readonly latency: Histogram<string>,
  ) {}

  create(key: RouteKey, url: string): Promise<WriteResult> {
    return this.write(key, { kind: 'upsert', url });
  }

  activate(key: RouteKey): Promise<WriteResult> {
    return this.write(key, { kind: 'activate' });
  }

  deactivate(key: RouteKey): Promise<WriteResult> {
    return this.write(key, { kind: 'deactivate' });
  }

  async get(key: RouteKey): Promise<RouteRecord> {
    const route = await this.repository.findOne(key);
    if (!route) throw new RouteNotFoundError(key);
    return route;
  }

  list(filter: RouteListFilter): Promise<RouteRecord[]> {
    return this.repository.list(filter);
  }

  private async write(key: RouteKey, intent: Intent): Promise<WriteResult> {
    this.requests.inc();
    const stopTimer = this.latency.startTimer();
    try {
      const result = await this.repository.transaction((tx) => this.apply(tx, key, intent));
      stopTimer();
      this.successes.inc();
      if (result.changed) await this.refreshCache(result.route);
      return result;
    } catch (err) {
      this.failures.inc();
      throw err;
    }
  }

  private async apply(tx: RouteTransaction, key: RouteKey, intent: Intent): Promise<WriteResult> {
    let current = await tx.lockByKey(key);
    if (!current && intent.kind === 'upsert') {
      const inserted = await tx.insertIfAbsent(await tx.ensureEnvironment(key), key, intent.url);
      if (inserted) {
        await tx.appendEvent(buildEvent('created', inserted, null, this.correlationId()));
        return { route: inserted, created: true, changed: true };
      }
      // A concurrent request created it first and has committed; treat this one as a repeat.
      current = await tx.lockByKey(key);
    }
    if (!current) throw new RouteNotFoundError(key);

    const patch = planChange(current, intent);
    if (!patch) return { route: current, created: false, changed: false };
    const updated = await tx.update(current, patch);
    await tx.appendEvent(buildEvent(patch.action, updated, current, this.correlationId()));
    return { route: updated, created: false, changed: true };
  }

  // Read-your-writes on this instance: the committed state goes into Redis right away; the revision
  // guard keeps an older concurrent reader from overwriting it. Best effort: the event consumers and
  // the TTL converge the cache if this fails.
  private refreshCache(route: RouteRecord): Promise<boolean> {
    return this.cache.store(route, { url: route.url, active: route.isActive, revision: route.revision });
  }

  private correlationId(): string | null {
    return this.cls.isActive() ? (this.cls.getId() ?? null) : null;
  }
}
