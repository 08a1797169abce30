import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClsService } from 'nestjs-cls';
import { Counter, Histogram } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { Principal, scopeOf, TenantScope } from '../../contracts/principal';
import { RouteKey } from '../../contracts/route-key';
import { RouteCache } from '../route-store';
import { AppliedChange, Precondition, RouteHistory, RouteListFilter, RouteRecord } from '../route-store';
import { RouteHistoryRepository, RoutesRepository } from '../route-store';
import { ChangesetChange } from './dto/changeset-body';
import { changeOf, draftEvent, Intent, interlockError, itemOf, refusalError } from './route-change';
import {
  RouteLastActiveVersionError,
  RouteMassDeactivationError,
  RouteNotFoundError,
  RouteNotYetCreatedError,
  RoutePreconditionFailedError,
  RouteRevisionNotFoundError,
  RouteStateNotKeptError,
} from './routes.errors';

// Reads take the caller's TenantScope; writes take the caller (Principal), which gives both the scope
// and the event's changed_by. Both come from the controller (@CallerScope(), @Caller()).
@Injectable()
export class RoutesService {
  constructor(
    private readonly repository: RoutesRepository,
    private readonly revisions: RouteHistoryRepository,
    private readonly cache: RouteCache,
    private readonly cls: ClsService,
    @InjectMetric(METRIC.writeRequests) private readonly requests: Counter<string>,
    @InjectMetric(METRIC.writeSuccess) private readonly successes: Counter<string>,
    @InjectMetric(METRIC.writeFailure) private readonly failures: Counter<string>,
    @InjectMetric(METRIC.writeLatency) private readonly latency: Histogram<string>,
    @InjectMetric(METRIC.writeInterlockRefusals) private readonly interlockRefusals: Counter<string>,
  ) {}

  // `precondition` (conditional writes): the change applies only if it holds, else 412.
  create(caller: Principal, key: RouteKey, url: string, precondition?: Precondition): Promise<AppliedChange> {
    return this.write(caller, key, { kind: 'upsert', url }, precondition);
  }

  activate(caller: Principal, key: RouteKey, precondition?: Precondition): Promise<AppliedChange> {
    return this.write(caller, key, { kind: 'activate' }, precondition);
  }

  // `forceReason`: forced past the tenant's write-time interlock, with this reason (else a deactivation
  // of an environment's last active version in a protected tenant is refused, 409).
  deactivate(caller: Principal, key: RouteKey, precondition?: Precondition, forceReason?: string): Promise<AppliedChange> {
    return this.write(caller, key, { kind: 'deactivate' }, precondition, forceReason);
  }

  // Restores the state of a kept revision as a new change (revision, event and history row of its
  // own; nothing is rewritten): an active revision sets its URL and activates the route, an inactive
  // one deactivates it. Already in that state: a no-op, like any write. The revision's row is
  // immutable, so reading it before the write needs no lock; `precondition` guards against a change
  // made in between, as for any write.
  rollback(caller: Principal, key: RouteKey, toRevision: number, precondition?: Precondition, forceReason?: string): Promise<AppliedChange> {
    return this.write(
      caller,
      key,
      async () => {
        const found = await this.revisions.findRevision(scopeOf(caller), key, toRevision);
        if (!found) throw new RouteNotFoundError(key);
        const target = found.revision;
        if (!target) throw new RouteRevisionNotFoundError(key, toRevision, found.currentRevision, found.oldestRevision);
        return target.isActive ? { kind: 'upsert', url: target.url } : { kind: 'deactivate' };
      },
      precondition,
      forceReason,
    );
  }

  // A changeset: every change applied in one transaction, or none (docs/design.md, "Changesets").
  // Each change is the single write it names, with its own revision, event and history row; an
  // expected_revision on a change is its precondition. The first change that cannot apply (a route
  // or revision that is not there, a precondition that does not hold) fails the whole changeset with
  // that change's error, naming its index. Results are in the request's order.
  // `forceReason`: the changeset is forced past the tenant's interlock, which judges its outcome.
  async applyChangeset(caller: Principal, changes: ChangesetChange[], forceReason?: string): Promise<AppliedChange[]> {
    this.requests.inc(changes.length);
    const stopTimer = this.latency.startTimer();
    try {
      const applied = await this.runChangeset(caller, changes, forceReason, false);
      stopTimer();
      this.successes.inc(changes.length);
      await Promise.all(applied.filter((change) => change.changed).map((change) => this.refreshCache(change.route)));
      return applied;
    } catch (err) {
      this.failures.inc(changes.length);
      this.countRefusal(err);
      throw err;
    }
  }

  // A preview: the changeset applied and rolled back (interlocks included), so the answer, or the
  // error, is what applying it now would give. Writes nothing, so it counts as no write.
  previewChangeset(caller: Principal, changes: ChangesetChange[], forceReason?: string): Promise<AppliedChange[]> {
    return this.runChangeset(caller, changes, forceReason, true);
  }

  private async runChangeset(
    caller: Principal,
    changes: ChangesetChange[],
    forceReason: string | undefined,
    dryRun: boolean,
  ): Promise<AppliedChange[]> {
    const correlationId = this.correlationId();
    const events = changes.map((change) => draftEvent(change.key, caller, correlationId));
    const items = changes.map((change) => itemOf(change, forceReason));
    const result = await this.repository.applyChangeset(scopeOf(caller), items, events, dryRun);
    if ('refused' in result) throw refusalError(result.refused, changes[result.refused.index]);
    return result.applied;
  }

  // A scheduled changeset was applied (ScheduleRunner): the same cache refresh and counters as a changeset's.
  async afterScheduledChangeset(applied: AppliedChange[]): Promise<void> {
    this.requests.inc(applied.length);
    this.successes.inc(applied.length);
    await Promise.all(applied.filter((change) => change.changed).map((change) => this.refreshCache(change.route)));
  }

  async history(scope: TenantScope, key: RouteKey, page: { beforeRevision?: number; limit: number }): Promise<RouteHistory> {
    const history = await this.revisions.history(scope, key, page);
    if (!history) throw new RouteNotFoundError(key);
    return history;
  }

  async get(scope: TenantScope, key: RouteKey): Promise<RouteRecord> {
    const route = await this.repository.findOne(scope, key);
    if (!route) throw new RouteNotFoundError(key);
    return route;
  }

  // The route as it was at `asOf` (point in time), from its kept history: the state of the last
  // revision committed at or before then, with that revision's time as updated_at.
  async getAsOf(scope: TenantScope, key: RouteKey, asOf: Date): Promise<RouteRecord> {
    const found = await this.revisions.findAsOf(scope, key, asOf);
    if (!found) throw new RouteNotFoundError(key);
    const { route, state, oldest } = found;
    if (asOf.getTime() < route.createdAt.getTime()) throw new RouteNotYetCreatedError(key, asOf, route.createdAt);
    if (!state) throw new RouteStateNotKeptError(key, asOf, route.revision, oldest);
    return { ...route, url: state.url, isActive: state.isActive, revision: state.revision, updatedAt: state.changedAt };
  }

  list(scope: TenantScope, filter: RouteListFilter): Promise<RouteRecord[]> {
    return this.repository.list(scope, filter);
  }

  // A route outside the caller's scope is 404 like a missing one, for creates too: creating it would
  // tell the caller whether it existed (201 or 200) and let it write into another tenant.
  // `intent` may have to be looked up first (a rollback reads its revision); that lookup is part of
  // the write for its metrics, so a refused rollback counts as a failed write like any other.
  private async write(
    caller: Principal,
    key: RouteKey,
    intentOf: Intent | (() => Promise<Intent>),
    precondition?: Precondition,
    forceReason?: string,
  ): Promise<AppliedChange> {
    this.requests.inc();
    const stopTimer = this.latency.startTimer();
    try {
      const intent = typeof intentOf === 'function' ? await intentOf() : intentOf;
      const event = draftEvent(key, caller, this.correlationId());
      let change = changeOf(intent);
      if (precondition) change = { ...change, precondition };
      if (forceReason !== undefined) change = { ...change, forceReason };
      const result = await this.repository.applyChange(scopeOf(caller), key, change, event);
      if (!result) throw new RouteNotFoundError(key);
      if ('preconditionFailed' in result) throw new RoutePreconditionFailedError(key, precondition!, result.currentRevision);
      if ('interlock' in result) throw interlockError(key, result);
      stopTimer();
      this.successes.inc();
      if (result.changed) await this.refreshCache(result.route);
      return result;
    } catch (err) {
      this.failures.inc();
      this.countRefusal(err);
      throw err;
    }
  }

  private countRefusal(err: unknown): void {
    if (err instanceof RouteLastActiveVersionError) this.interlockRefusals.inc({ interlock: 'last_active_version' });
    else if (err instanceof RouteMassDeactivationError) this.interlockRefusals.inc({ interlock: 'mass_deactivation' });
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
