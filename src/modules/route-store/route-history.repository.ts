import { Injectable } from '@nestjs/common';
import { inScope, TenantScope } from '../../contracts/principal';
import { RouteKey } from '../../contracts/route-key';
import { GuardedQueries } from './guarded-queries';
import { RouteHistory, RouteRecord, RouteRevisionRecord } from './route-record';
import {
  BY_KEY,
  EndpointRow,
  keyParams,
  REVISION_BY_NUMBER,
  REVISION_COLUMNS,
  RevisionLookupRow,
  RevisionRow,
  ROUTE_COLUMNS,
  ROUTE_JOINS,
  toRecord,
  toRevision,
} from './route-sql';

// A committed change as the route history keeps it: its event and where it is.
export interface CommittedEvent {
  eventId: string;
  service: string;
  env: string;
  version: string;
  revision: number;
}

// Revisions are PostgreSQL integers; "before the largest" means "from the newest".
const MAX_REVISION = 2_147_483_647;

// Routes' kept revisions (route_revisions, written by tm_apply_route_change in each change's own
// transaction): history pages, one revision, the state at a point in time, and pruning. Scoped like
// RoutesRepository: a route outside the caller's scope is not there, and costs no query.
@Injectable()
export class RouteHistoryRepository {
  constructor(private readonly db: GuardedQueries) {}

  // The route as it was at `at` (point in time): the last kept revision committed at or before it,
  // with the route's row (its id and creation time). Null when the route does not exist now; `state`
  // null when no kept revision is that old (the route was created later, or its history from then
  // was pruned), with the oldest kept revision and its time to tell which.
  async findAsOf(
    scope: TenantScope,
    key: RouteKey,
    at: Date,
  ): Promise<{ route: RouteRecord; state: RouteRevisionRecord | null; oldest: { revision: number; changedAt: Date } | null } | null> {
    if (!inScope(scope, key.tenant)) return null;
    // The route's own columns and the revision's share names (url, is_active, revision): the
    // revision's come as a JSON object.
    const rows: Array<
      EndpointRow & {
        state: (Omit<RevisionRow, 'changed_at'> & { changed_at: string }) | null;
        oldest_revision: number | null;
        oldest_changed_at: Date | null;
      }
    > = await this.db.query(
      `SELECT ${ROUTE_COLUMNS}, to_jsonb(r) AS state, o.revision AS oldest_revision, o.changed_at AS oldest_changed_at
         ${ROUTE_JOINS}
         LEFT JOIN LATERAL (
           SELECT ${REVISION_COLUMNS} FROM route_revisions r
           WHERE r.endpoint_id = e.id AND date_trunc('milliseconds', r.changed_at) <= $5 ORDER BY r.revision DESC LIMIT 1
         ) r ON true
         LEFT JOIN LATERAL (
           SELECT y.revision, y.changed_at FROM route_revisions y WHERE y.endpoint_id = e.id ORDER BY y.revision LIMIT 1
         ) o ON true
         WHERE ${BY_KEY}`,
      [...keyParams(key), at],
    );
    if (!rows.length) return null;
    const [row] = rows;
    return {
      route: toRecord(row),
      state: row.state === null ? null : toRevision({ ...row.state, changed_at: new Date(row.state.changed_at) }),
      oldest: row.oldest_revision === null ? null : { revision: row.oldest_revision, changedAt: row.oldest_changed_at! },
    };
  }

  // A route's kept revisions, newest first, below `beforeRevision` (paging), with its current and
  // oldest kept revision: one round trip. Null when the route does not exist (or is out of scope).
  async history(scope: TenantScope, key: RouteKey, page: { beforeRevision?: number; limit: number }): Promise<RouteHistory | null> {
    if (!inScope(scope, key.tenant)) return null;
    const rows: RevisionLookupRow[] = await this.db.query(
      `SELECT e.revision AS current_revision,
         (SELECT min(o.revision) FROM route_revisions o WHERE o.endpoint_id = e.id) AS oldest_revision,
         ${REVISION_COLUMNS}
       ${ROUTE_JOINS}
       LEFT JOIN LATERAL (
         SELECT * FROM route_revisions x
         WHERE x.endpoint_id = e.id AND x.revision < $5
         ORDER BY x.revision DESC LIMIT $6
       ) r ON true
       WHERE ${BY_KEY}
       ORDER BY r.revision DESC`,
      [...keyParams(key), page.beforeRevision ?? MAX_REVISION, page.limit],
    );
    if (!rows.length) return null;
    return {
      currentRevision: rows[0].current_revision,
      oldestRevision: rows[0].oldest_revision,
      revisions: rows.filter((row) => row.revision !== null).map((row) => toRevision(row as RevisionRow)),
    };
  }

  // One kept revision of a route (`revision` null: the current one), with the route's current and
  // oldest kept revision. Null when the route does not exist; `revision` null in the answer when that
  // revision is not kept (pruned, or not reached yet).
  async findRevision(
    scope: TenantScope,
    key: RouteKey,
    revision: number | null,
  ): Promise<{ currentRevision: number; oldestRevision: number | null; revision: RouteRevisionRecord | null } | null> {
    if (!inScope(scope, key.tenant)) return null;
    const rows: RevisionLookupRow[] = await this.db.query(REVISION_BY_NUMBER, [...keyParams(key), revision]);
    if (!rows.length) return null;
    const row = rows[0];
    return {
      currentRevision: row.current_revision,
      oldestRevision: row.oldest_revision,
      revision: row.revision === null ? null : toRevision(row as RevisionRow),
    };
  }

  // The changes kept in the history of a tenant's routes (optionally one service, env or version)
  // that were committed before `before`, by route and revision, at most `limit`: what the audit trail
  // must hold (GET /api/v1/audit/verify). Baseline rows (state from before the history) have no event.
  async committedEvents(scope: TenantScope, tenant: string, route: Partial<RouteKey>, before: Date, limit: number): Promise<CommittedEvent[]> {
    if (!inScope(scope, tenant)) return [];
    return this.db.query<CommittedEvent[]>(
      `SELECT r.event_id::text AS "eventId", s.name AS service, env.name AS env, e.version, r.revision
       FROM route_revisions r
       JOIN endpoints e ON e.id = r.endpoint_id
       JOIN environments env ON env.id = e.environment_id
       JOIN services s ON s.id = env.service_id
       JOIN tenants t ON t.id = s.tenant_id
       WHERE t.name = $1 AND ($2::varchar IS NULL OR s.name = $2) AND ($3::varchar IS NULL OR env.name = $3)
         AND ($4::varchar IS NULL OR e.version = $4) AND r.event_id IS NOT NULL AND r.changed_at < $5
       ORDER BY s.name, env.name, e.version, r.revision
       LIMIT $6`,
      [tenant, route.service ?? null, route.env ?? null, route.version ?? null, before, limit],
    );
  }

  // Deletes, across all routes, revisions more than `keep` behind their route's current one, at most
  // `batch` rows per statement; returns how many it deleted. Idempotent, so instances running it at
  // the same time only repeat each other's work. The current revision is always kept (keep >= 1).
  async pruneHistory(keep: number, batch: number): Promise<number> {
    const result = await this.db.query<unknown>(
      `DELETE FROM route_revisions WHERE ctid IN (
         SELECT r.ctid FROM route_revisions r JOIN endpoints e ON e.id = r.endpoint_id
         WHERE e.revision > $1 AND r.revision <= e.revision - $1
         LIMIT $2)`,
      [keep, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
