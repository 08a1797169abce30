import { Injectable } from '@nestjs/common';
import { inScope, TenantScope } from '../../contracts/principal';
import { RouteEventDraft } from '../../contracts/route-event';
import { OutboxWriter } from '../outbox';
import { RouteKey, routeKeyString } from '../../contracts/route-key';
import { QueryRunner } from 'typeorm';
import {
  AppliedChange,
  ChangesetItem,
  ChangesetRefusal,
  InterlockRefused,
  PreconditionFailed,
  RouteChange,
  RouteListFilter,
  RouteRecord,
  RouteSnapshot,
} from './route-record';
import {
  APPLY_CHANGE,
  APPLY_CHANGE_FORCED,
  BY_KEY,
  CHECK_INTERLOCKS,
  EndpointRow,
  keyParams,
  interlockRefusal,
  ROUTE_COLUMNS,
  ROUTE_JOINS,
  REVISION_BY_NUMBER,
  RevisionLookupRow,
  toRecord,
} from './route-sql';
import { GuardedQueries } from './guarded-queries';
import { ALONE, ApplyRow, ChangeParams, GroupCommit } from './group-commit';

// Every method takes the caller's TenantScope first, so no query can forget it. A key lookup names
// its tenant, so its scope check is a comparison before the query (a foreign route costs no round
// trip and is "not found"); a listing adds `t.name = $n` to its WHERE clause, intersected with any
// tenant filter. Request paths pass the caller's scope; the Kafka consumers and the resolve cache
// loader (whose callers were checked before) pass ALL_TENANTS explicitly.
@Injectable()
export class RoutesRepository {
  constructor(
    private readonly db: GuardedQueries,
    private readonly outbox: OutboxWriter,
    private readonly groups: GroupCommit,
  ) {}

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return this.db.query<T>(sql, params);
  }

  // The whole write in one round trip: upserts the parents, locks the route, applies the change
  // (creating the route only when change.url is set) and appends its outbox row, in the format
  // OutboxWriter gives it, in the same transaction. Null when there is no route to change, and for a
  // route outside the scope, which is never written (not even created): to the caller it does not exist.
  // A change whose precondition does not hold writes nothing and says so (PreconditionFailed). The
  // precondition is ignored where the answer would be "not found" anyway (an activate of a missing
  // route), as RFC 9110 §13.2.1 asks. A deactivation one of the tenant's interlocks refuses writes
  // nothing either (InterlockRefused): the trigger's checks run when the statement's own transaction
  // commits. An unforced change is written with others that arrive at the same time when the write
  // path is busy (GroupCommit); the answer is the same as alone.
  async applyChange(
    scope: TenantScope,
    key: RouteKey,
    change: RouteChange,
    event: RouteEventDraft,
  ): Promise<AppliedChange | PreconditionFailed | InterlockRefused | null> {
    if (!inScope(scope, key.tenant)) return null;
    let rows: ApplyRow[];
    try {
      if (change.forceReason !== undefined) rows = await this.query(...this.applyStatement(key, change, event));
      else {
        const params = this.applyParams(key, change, event);
        const answer = await this.groups.apply(key, params);
        rows = answer === ALONE ? await this.query<ApplyRow[]>(APPLY_CHANGE, params) : answer;
      }
    } catch (err) {
      const refused = interlockRefusal(err);
      if (!refused) throw err;
      const { route: _route, ...interlock } = refused;
      return interlock;
    }
    if (!rows.length) return null;
    const row = rows[0];
    if (!row.matched) return { preconditionFailed: true, currentRevision: row.revision };
    return { route: toRecord(row, key), created: row.created, changed: row.changed };
  }

  // A changeset: every change in one transaction, all applied or none. Each is the single write's
  // statement (tm_apply_route_change, with its precondition); a rollback first reads its revision in
  // the same transaction. Routes are locked in key order, whatever the request's order, so two
  // changesets over the same routes wait for each other instead of deadlocking. The first change
  // that cannot apply rolls everything back and is returned as the refusal; results are in the
  // request's order. `events[i]` is change i's event draft. The interlock judges the changeset's
  // outcome, after its last change (applyItems). A dry run does all of it, the interlocks' checks
  // included, and rolls back: the answer is what the changeset would do now, and nothing is written.
  async applyChangeset(
    scope: TenantScope,
    items: ChangesetItem[],
    events: RouteEventDraft[],
    dryRun = false,
  ): Promise<{ applied: AppliedChange[] } | { refused: ChangesetRefusal }> {
    const outside = items.findIndex((item) => !inScope(scope, item.key.tenant));
    if (outside >= 0) return { refused: { index: outside, reason: 'not_found' } };
    return this.db.guarded(async () => {
      const runner = this.db.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const outcome = await this.applyItems(runner, items, events, dryRun);
        if ('refused' in outcome || dryRun) await runner.rollbackTransaction();
        else await runner.commitTransaction();
        return outcome;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      } finally {
        await runner.release();
      }
    });
  }

  // The changeset's changes inside the caller's transaction (which it commits or rolls back; a
  // refusal leaves changes already made in it for the caller to roll back). Also used by scheduled
  // changesets, whose status row is locked and updated in the same transaction.
  async applyItems(
    runner: QueryRunner,
    items: ChangesetItem[],
    events: RouteEventDraft[],
    checkAll = false,
  ): Promise<{ applied: AppliedChange[] } | { refused: ChangesetRefusal }> {
    const order = items.map((_, index) => index).sort((a, b) => compareKeys(items[a].key, items[b].key));
    const applied: AppliedChange[] = new Array(items.length);
    for (const index of order) {
      const outcome = await this.applyInTransaction(runner, items[index], events[index], index);
      if ('refused' in outcome) return outcome;
      applied[index] = outcome.applied;
    }
    // The deferred interlocks, now rather than at commit, so that a refusal names the change (the route
    // whose deactivation the check was run for) like any other and a scheduled changeset can record it.
    // Only changes that may deactivate can trip them (`checkAll`: run them anyway, before a rollback).
    if (checkAll || items.some((item) => item.rollbackTo !== undefined || !item.change.active)) {
      try {
        await runner.query(CHECK_INTERLOCKS);
      } catch (err) {
        const refused = interlockRefusal(err);
        if (!refused) throw err;
        const { route, ...interlock } = refused;
        const named = route ? items.findIndex((item) => routeKeyString(item.key) === routeKeyString(route)) : -1;
        return { refused: { index: named >= 0 ? named : order[order.length - 1], reason: 'interlock', ...interlock } };
      }
    }
    return { applied };
  }

  private async applyInTransaction(
    runner: QueryRunner,
    item: ChangesetItem,
    event: RouteEventDraft,
    index: number,
  ): Promise<{ applied: AppliedChange } | { refused: ChangesetRefusal }> {
    let change: RouteChange;
    if (item.rollbackTo === undefined) change = item.change;
    else {
      const rows: RevisionLookupRow[] = await runner.query(REVISION_BY_NUMBER, [...keyParams(item.key), item.rollbackTo]);
      if (!rows.length) return { refused: { index, reason: 'not_found' } };
      const [row] = rows;
      if (row.revision === null) {
        return {
          refused: {
            index,
            reason: 'revision_not_found',
            revision: item.rollbackTo,
            currentRevision: row.current_revision,
            oldestRevision: row.oldest_revision,
          },
        };
      }
      change = { url: row.is_active ? row.url! : null, active: row.is_active!, precondition: item.precondition };
    }
    if (item.forceReason !== undefined) change = { ...change, forceReason: item.forceReason };
    const rows: ApplyRow[] = await runner.query(...this.applyStatement(item.key, change, event));
    if (!rows.length) return { refused: { index, reason: 'not_found' } };
    const [row] = rows;
    if (!row.matched) return { refused: { index, reason: 'precondition_failed', currentRevision: row.revision } };
    return { applied: { route: toRecord(row, item.key), created: row.created, changed: row.changed } };
  }

  private applyStatement(key: RouteKey, change: RouteChange, event: RouteEventDraft): [string, unknown[]] {
    const params = this.applyParams(key, change, event);
    return change.forceReason === undefined ? [APPLY_CHANGE, params] : [APPLY_CHANGE_FORCED, [...params, change.forceReason]];
  }

  private applyParams(key: RouteKey, change: RouteChange, event: RouteEventDraft): ChangeParams {
    const outbox = this.outbox.row(event);
    const condition = change.precondition;
    return [
      key.tenant,
      key.service,
      key.env,
      key.version,
      change.url,
      change.active,
      outbox.messageKey,
      outbox.payload,
      outbox.headers,
      condition?.kind ?? null,
      condition?.kind === 'revisions' ? condition.revisions : null,
    ];
  }

  // The read path's only query: one indexed join, inactive rows included so the revision is known.
  async findSnapshot(scope: TenantScope, key: RouteKey): Promise<RouteSnapshot | null> {
    if (!inScope(scope, key.tenant)) return null;
    const rows: Array<{ url: string; is_active: boolean; revision: number }> = await this.query(
      `SELECT e.url, e.is_active, e.revision ${ROUTE_JOINS} WHERE ${BY_KEY}`,
      keyParams(key),
    );
    if (!rows.length) return null;
    return { url: rows[0].url, active: rows[0].is_active, revision: rows[0].revision };
  }

  // Many routes in one query (the cache_warming consumer, per batch), keyed by routeKeyString;
  // routes that do not exist or are outside the scope are absent.
  async findSnapshots(scope: TenantScope, all: RouteKey[]): Promise<Map<string, RouteSnapshot>> {
    const keys = all.filter((key) => inScope(scope, key.tenant));
    if (!keys.length) return new Map();
    const rows: Array<RouteKey & { url: string; is_active: boolean; revision: number }> = await this.query(
      `SELECT k.tenant, k.service, k.env, k.version, e.url, e.is_active, e.revision ${ROUTE_JOINS}
       JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(tenant, service, env, version)
         ON t.name = k.tenant AND s.name = k.service AND env.name = k.env AND e.version = k.version`,
      [keys.map((k) => k.tenant), keys.map((k) => k.service), keys.map((k) => k.env), keys.map((k) => k.version)],
    );
    return new Map(rows.map((row) => [routeKeyString(row), { url: row.url, active: row.is_active, revision: row.revision }]));
  }

  // The routes as they are now (every tenant: the caller decides what it may see), by routeKeyString,
  // in one query; routes that do not exist are left out. For the watch streams' live feed.
  async findMany(keys: RouteKey[]): Promise<Map<string, RouteRecord>> {
    if (!keys.length) return new Map();
    const rows: EndpointRow[] = await this.query(
      `SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS}
       JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(tenant, service, env, version)
         ON t.name = k.tenant AND s.name = k.service AND env.name = k.env AND e.version = k.version`,
      [keys.map((k) => k.tenant), keys.map((k) => k.service), keys.map((k) => k.env), keys.map((k) => k.version)],
    );
    return new Map(
      rows.map((row) => {
        const record = toRecord(row);
        return [routeKeyString(record), record];
      }),
    );
  }

  // Routes in the scope (and the filter's tenant, service, env) whose last change was at or after
  // `since`, oldest change first, at most `limit`. For a watch stream's resume (Last-Event-ID).
  async changedSince(
    scope: TenantScope,
    filter: { tenant?: string; service?: string; env?: string },
    since: Date,
    limit: number,
  ): Promise<RouteRecord[]> {
    if (filter.tenant !== undefined && !inScope(scope, filter.tenant)) return [];
    const params: unknown[] = [since];
    const where = ['e.updated_at >= $1'];
    const add = (column: string, value: string | null | undefined) => {
      if (value === undefined || value === null) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    add('t.name', filter.tenant ?? scope.tenant);
    add('s.name', filter.service);
    add('env.name', filter.env);
    params.push(limit);
    const rows: EndpointRow[] = await this.query(
      `SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS} WHERE ${where.join(' AND ')} ORDER BY e.updated_at, e.id LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => toRecord(row));
  }

  async findOne(scope: TenantScope, key: RouteKey): Promise<RouteRecord | null> {
    if (!inScope(scope, key.tenant)) return null;
    const rows: EndpointRow[] = await this.query(`SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS} WHERE ${BY_KEY}`, keyParams(key));
    return rows.length ? toRecord(rows[0]) : null;
  }

  // A tenant filter naming another tenant than the scope's matches nothing.
  async list(scope: TenantScope, filter: RouteListFilter): Promise<RouteRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scope.tenant !== null) add('t.name = ?', scope.tenant);
    if (filter.tenant !== undefined) add('t.name = ?', filter.tenant);
    if (filter.service !== undefined) add('s.name = ?', filter.service);
    if (filter.env !== undefined) add('env.name = ?', filter.env);
    if (filter.active !== undefined) add('e.is_active = ?', filter.active);
    if (filter.afterId !== undefined) add('e.id > ?', filter.afterId);
    params.push(filter.limit);
    const rows: EndpointRow[] = await this.query(
      `SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY e.id LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => toRecord(row));
  }
}

// The route's current and oldest kept revision, with one revision's columns (all NULL when not kept).
function compareKeys(a: RouteKey, b: RouteKey): number {
  const x = routeKeyString(a);
  const y = routeKeyString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
