import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClsService } from 'nestjs-cls';
import { Counter, Histogram } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { RouteKey } from '../../contracts/route-key';
import { RouteCache } from '../route-store';
import { AppliedChange, RouteListFilter, RouteRecord } from '../route-store';
import { RoutesRepository } from '../route-store';
import { changeOf, draftEvent, Intent } from './route-change';
import { RouteNotFoundError } from './routes.errors';

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

  create(key: RouteKey, url: string): Promise<AppliedChange> {
    return this.write(key, { kind: 'upsert', url });
  }

  activate(key: RouteKey): Promise<AppliedChange> {
    return this.write(key, { kind: 'activate' });
  }

  deactivate(key: RouteKey): Promise<AppliedChange> {
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

  private async write(key: RouteKey, intent: Intent): Promise<AppliedChange> {
    this.requests.inc();
    const stopTimer = this.latency.startTimer();
    try {
      const result = await this.repository.applyChange(key, changeOf(intent), draftEvent(key, this.correlationId()));
      if (!result) throw new RouteNotFoundError(key);
      stopTimer();
      this.successes.inc();
      if (result.changed) await this.refreshCache(result.route);
      return result;
    } catch (err) {
      this.failures.inc();
      throw err;
    }
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
