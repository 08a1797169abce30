import { Injectable } from '@nestjs/common';
import { inScope, TenantScope } from '../../contracts/principal';
import { RouteEventDraft } from '../../contracts/route-event';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { GuardedQueries } from './guarded-queries';
import { AppliedChange, ChangesetItem, ChangesetRefusal } from './route-record';
import { RoutesRepository } from './routes.repository';

export type ScheduleStatus = 'pending' | 'applied' | 'failed' | 'cancelled';

export interface ScheduledChangesetRecord {
  id: string;
  tenant: string;
  changes: unknown[];
  scheduledAt: Date;
  status: ScheduleStatus;
  createdAt: Date;
  createdBy: string;
  createdByKeyId: string;
  correlationId: string | null;
  finishedAt: Date | null;
  outcome: unknown;
  cancelledBy: string | null;
  approvalsRequired: number;
  approvals: ScheduleApproval[];
  // The changeset is forced with this reason (the write-time interlock), null when it is not.
  forceReason: string | null;
}

export interface ScheduleApproval {
  by: string;
  key_id: string;
  at: string;
}

export interface NewScheduledChangeset {
  id: string;
  tenant: string;
  changes: unknown[];
  scheduledAt: Date;
  createdBy: string;
  createdByKeyId: string;
  correlationId: string | null;
  approvalsRequired: number;
  forceReason: string | null;
}

// Why an approval was not recorded (the record as it is says the rest).
export type ApprovalRefusal = 'not_pending' | 'own_schedule' | 'already_approved' | 'not_required';

// What the scheduler decides for a due row, inside the transaction that locked it: the changes to
// apply with their events (and who approved them, for a four-eyes changeset), or a reason not to
// apply them at all (the key that scheduled it is revoked).
export type DuePlan = { items: ChangesetItem[]; events: RouteEventDraft[]; approvedBy?: string } | { refuse: unknown };

export type DueResult =
  { record: ScheduledChangesetRecord; applied: AppliedChange[] } | { record: ScheduledChangesetRecord; refused: ChangesetRefusal | null };

const COLUMNS = `id, tenant, changes, scheduled_at, status, created_at, created_by, created_by_key_id, correlation_id,
  finished_at, outcome, cancelled_by, approvals_required, approvals, force_reason`;

interface Row {
  id: string;
  tenant: string;
  changes: unknown[];
  scheduled_at: Date;
  status: ScheduleStatus;
  created_at: Date;
  created_by: string;
  created_by_key_id: string;
  correlation_id: string | null;
  finished_at: Date | null;
  outcome: unknown;
  cancelled_by: string | null;
  approvals_required: number;
  approvals: ScheduleApproval[];
  force_reason: string | null;
}

function toRecord(row: Row): ScheduledChangesetRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    changes: row.changes,
    scheduledAt: row.scheduled_at,
    status: row.status,
    createdAt: row.created_at,
    createdBy: row.created_by,
    createdByKeyId: row.created_by_key_id,
    correlationId: row.correlation_id,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    cancelledBy: row.cancelled_by,
    approvalsRequired: row.approvals_required,
    approvals: row.approvals,
    forceReason: row.force_reason,
  };
}

// scheduled_changesets (ScheduledChangesetEntity). Reads and cancels take the caller's scope; the
// scheduler's claim is for every tenant (the row names its own). UPDATE … RETURNING is read through a
// CTE: TypeORM's query() answers a bare UPDATE with [rows, count] instead of the rows.
@Injectable()
export class ScheduledChangesetsRepository {
  constructor(
    private readonly db: GuardedQueries,
    private readonly routes: RoutesRepository,
  ) {}

  async create(schedule: NewScheduledChangeset): Promise<ScheduledChangesetRecord> {
    const rows = await this.db.query<Row[]>(
      `INSERT INTO scheduled_changesets (id, tenant, changes, scheduled_at, created_by, created_by_key_id, correlation_id, approvals_required,
         force_reason)
       VALUES ($1, $2, $3::json, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        schedule.id,
        schedule.tenant,
        JSON.stringify(schedule.changes),
        schedule.scheduledAt,
        schedule.createdBy,
        schedule.createdByKeyId,
        schedule.correlationId,
        schedule.approvalsRequired,
        schedule.forceReason,
      ],
    );
    return toRecord(rows[0]);
  }

  async find(scope: TenantScope, id: string): Promise<ScheduledChangesetRecord | null> {
    const rows = await this.db.query<Row[]>(`SELECT ${COLUMNS} FROM scheduled_changesets WHERE id = $1`, [id]);
    return rows.length && inScope(scope, rows[0].tenant) ? toRecord(rows[0]) : null;
  }

  // Newest scheduled time first; `before` is the keyset cursor (scheduled_at, id) of the last row seen.
  async list(
    scope: TenantScope,
    filter: { tenant?: string; status?: ScheduleStatus; before?: { scheduledAt: Date; id: string }; limit: number },
  ): Promise<ScheduledChangesetRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(clause(params.length));
    };
    if (scope.tenant !== null) add((n) => `tenant = $${n}`, scope.tenant);
    if (filter.tenant !== undefined) add((n) => `tenant = $${n}`, filter.tenant);
    if (filter.status !== undefined) add((n) => `status = $${n}`, filter.status);
    if (filter.before) {
      params.push(filter.before.scheduledAt, filter.before.id);
      where.push(`(scheduled_at, id) < ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    const rows = await this.db.query<Row[]>(
      `SELECT ${COLUMNS} FROM scheduled_changesets ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY scheduled_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  // Pending → cancelled. Null when there is no such schedule in scope; the record as it is when it
  // is no longer pending (the caller says so).
  async cancel(scope: TenantScope, id: string, by: string): Promise<{ record: ScheduledChangesetRecord; cancelled: boolean } | null> {
    const rows = await this.db.query<Row[]>(
      `WITH cancelled AS (
         UPDATE scheduled_changesets SET status = 'cancelled', finished_at = now(), cancelled_by = $2
         WHERE id = $1 AND status = 'pending' ${scope.tenant === null ? '' : 'AND tenant = $3'} RETURNING ${COLUMNS}
       ) SELECT * FROM cancelled`,
      scope.tenant === null ? [id, by] : [id, by, scope.tenant],
    );
    if (rows.length) return { record: toRecord(rows[0]), cancelled: true };
    const current = await this.find(scope, id);
    return current ? { record: current, cancelled: false } : null;
  }

  // Adds one approval by a key other than the scheduler's, once per key, while the schedule is
  // pending and needs approvals; one statement, so concurrent approvals cannot lose one another.
  async approve(
    scope: TenantScope,
    id: string,
    approver: { name: string; keyId: string },
  ): Promise<{ record: ScheduledChangesetRecord; refused?: ApprovalRefusal } | null> {
    const approval: ScheduleApproval = { by: approver.name, key_id: approver.keyId, at: new Date().toISOString() };
    const params: unknown[] = [id, JSON.stringify([approval]), approver.keyId];
    if (scope.tenant !== null) params.push(scope.tenant);
    const rows = await this.db.query<Row[]>(
      `WITH approved AS (
         UPDATE scheduled_changesets SET approvals = approvals || $2::jsonb
         WHERE id = $1 AND status = 'pending' AND approvals_required > 0 AND created_by_key_id <> $3
           AND NOT approvals @> jsonb_build_array(jsonb_build_object('key_id', $3::text))
           ${scope.tenant === null ? '' : 'AND tenant = $4'}
         RETURNING ${COLUMNS}
       ) SELECT * FROM approved`,
      params,
    );
    if (rows.length) return { record: toRecord(rows[0]) };
    const current = await this.find(scope, id);
    if (!current) return null;
    const refused: ApprovalRefusal =
      current.status !== 'pending'
        ? 'not_pending'
        : current.approvalsRequired === 0
          ? 'not_required'
          : current.createdByKeyId === approver.keyId
            ? 'own_schedule'
            : 'already_approved';
    return { record: current, refused };
  }

  // Locks the earliest due pending row (another instance's scheduler skips it), applies its changes
  // and records the outcome, all in one transaction: applied once, and never half. A refused
  // changeset, or one that fails for a reason other than an outage, rolls its changes back to a
  // savepoint and is recorded as failed. Null: nothing is due.
  async applyNextDue(
    plan: (record: ScheduledChangesetRecord) => Promise<DuePlan>,
    describe: (refusal: ChangesetRefusal, record: ScheduledChangesetRecord) => unknown,
    summarize: (applied: AppliedChange[]) => unknown,
  ): Promise<DueResult | null> {
    return this.db.guarded(async () => {
      const runner = this.db.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        const due: Row[] = await runner.query(
          `SELECT ${COLUMNS} FROM scheduled_changesets WHERE status = 'pending' AND scheduled_at <= now()
           ORDER BY scheduled_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        );
        if (!due.length) {
          await runner.commitTransaction();
          return null;
        }
        const record = toRecord(due[0]);
        await runner.query('SAVEPOINT scheduled_changes');
        let result: DueResult;
        let status: ScheduleStatus = 'failed';
        let outcome: unknown;
        try {
          const decided = await plan(record);
          if ('refuse' in decided) {
            result = { record, refused: null };
            outcome = decided.refuse;
          } else {
            // An approved changeset passes the tenant's mass-deactivation breaker (the trigger reads this
            // transaction-local setting; rolling back to the savepoint drops it).
            if (decided.approvedBy) await runner.query(`SELECT set_config('tm.approved_by', $1, true)`, [decided.approvedBy]);
            const applied = await this.routes.applyItems(runner, decided.items, decided.events);
            if ('refused' in applied) {
              await runner.query('ROLLBACK TO SAVEPOINT scheduled_changes');
              result = { record, refused: applied.refused };
              outcome = describe(applied.refused, record);
            } else {
              result = { record, applied: applied.applied };
              status = 'applied';
              outcome = summarize(applied.applied);
            }
          }
        } catch (err) {
          // An outage or a transient conflict: roll everything back, the row stays pending and the next
          // pass tries again. Anything else would fail the same way every second and hold up every
          // schedule due after this one, so it is recorded as this schedule's failure instead.
          if (retryable(err)) throw err;
          await runner.query('ROLLBACK TO SAVEPOINT scheduled_changes');
          result = { record, refused: null };
          outcome = { error: 'SERVER.ERROR', message: `The changeset could not be applied: ${(err as Error).message}` };
        }
        const updated: Row[] = await runner.query(
          `WITH finished AS (
             UPDATE scheduled_changesets SET status = $2, outcome = $3::json, finished_at = now() WHERE id = $1 RETURNING ${COLUMNS}
           ) SELECT * FROM finished`,
          [record.id, status, JSON.stringify(outcome)],
        );
        await runner.commitTransaction();
        result.record = toRecord(updated[0]);
        return result;
      } catch (err) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw err;
      } finally {
        await runner.release();
      }
    });
  }
}

// Worth another try on the next pass: the store is unavailable, or PostgreSQL gave up on the
// transaction for a reason that passes (SQLSTATE class 40: serialization failure, deadlock; 55P03:
// a lock not available).
function retryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return isInfrastructureFailure(err) || (typeof code === 'string' && (code.startsWith('40') || code === '55P03'));
}
