import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { randomUUID } from 'crypto';
import { DomainError } from '../../common/errors/domain.error';
import { Principal, scopeOf, TenantScope } from '../../contracts/principal';
import { Authenticator } from '../auth';
import { AppliedChange, DuePlan, DueResult, ScheduledChangesetRecord, ScheduledChangesetsRepository } from '../route-store';
import { ScheduleStatus } from '../route-store';
import { ChangesetChange, parseChangesetBody } from './dto/changeset-body';
import { forceReasonOf } from './dto/force-override';
import { RouteResponseDto } from './dto/route-response.dto';
import { changeAsRequested, ScheduleBody } from './dto/schedule-body';
import { ScheduleResponseDto } from './dto/schedule.dto';
import { draftEvent, itemOf, refusalError } from './route-change';
import {
  InvalidCursorError,
  RouteNotFoundError,
  ScheduleApprovalConflictError,
  ScheduleNotFoundError,
  ScheduleStatusConflictError,
} from './routes.errors';
import { RoutesService } from './routes.service';

// Scheduled changesets: accepted now, applied at their time by ScheduleRunner through the same
// changeset path (one transaction with the schedule's own row), in the name of the key that
// scheduled them and with the scheduling request's correlation id on every event.
@Injectable()
export class SchedulesService {
  constructor(
    private readonly repository: ScheduledChangesetsRepository,
    private readonly routes: RoutesService,
    private readonly authenticator: Authenticator,
    private readonly cls: ClsService,
  ) {}

  async schedule(caller: Principal, body: ScheduleBody): Promise<ScheduleResponseDto> {
    // Another tenant's routes do not exist for this caller, now or at the scheduled time.
    if (caller.tenant !== null && caller.tenant !== body.tenant) throw new RouteNotFoundError(body.changes[0].key, 0);
    const record = await this.repository.create({
      id: randomUUID(),
      tenant: body.tenant,
      changes: body.changes.map(changeAsRequested),
      scheduledAt: body.scheduledAt,
      createdBy: caller.keyName,
      createdByKeyId: caller.keyId,
      correlationId: this.cls.isActive() ? (this.cls.getId() ?? null) : null,
      approvalsRequired: body.approvalsRequired,
      forceReason: forceReasonOf(body) ?? null,
    });
    return present(record);
  }

  async get(scope: TenantScope, id: string): Promise<ScheduleResponseDto> {
    const record = await this.repository.find(scope, id);
    if (!record) throw new ScheduleNotFoundError(id);
    return present(record);
  }

  async list(
    scope: TenantScope,
    query: { tenant?: string; status?: ScheduleStatus; limit: number; cursor?: string },
  ): Promise<{ schedules: ScheduleResponseDto[]; count: number; next_cursor: string | null }> {
    const rows = await this.repository.list(scope, {
      tenant: query.tenant,
      status: query.status,
      before: query.cursor === undefined ? undefined : decodeScheduleCursor(query.cursor),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { schedules: page.map(present), count: page.length, next_cursor: rows.length > query.limit ? encodeScheduleCursor(last) : null };
  }

  async cancel(caller: Principal, id: string): Promise<ScheduleResponseDto> {
    const result = await this.repository.cancel(scopeOf(caller), id, caller.keyName);
    if (!result) throw new ScheduleNotFoundError(id);
    if (!result.cancelled) throw new ScheduleStatusConflictError(id, result.record.status);
    return present(result.record);
  }

  // Four-eyes: one approval by this caller's key, which must not be the key that scheduled it.
  async approve(caller: Principal, id: string): Promise<ScheduleResponseDto> {
    const result = await this.repository.approve(scopeOf(caller), id, { name: caller.keyName, keyId: caller.keyId });
    if (!result) throw new ScheduleNotFoundError(id);
    switch (result.refused) {
      case undefined:
        return present(result.record);
      case 'not_pending':
        throw new ScheduleStatusConflictError(id, result.record.status, 'approved');
      case 'not_required':
        throw new ScheduleApprovalConflictError(id, 'it needs no approval (approvals_required is 0)');
      case 'own_schedule':
        throw new ScheduleApprovalConflictError(id, 'the key that scheduled it cannot approve it; another key must');
      case 'already_approved':
        throw new ScheduleApprovalConflictError(id, 'this key has already approved it');
    }
  }

  // Applies the earliest due schedule, if any (ScheduleRunner calls it until it says null).
  async applyNextDue(): Promise<DueResult | null> {
    const result = await this.repository.applyNextDue(
      (record) => this.plan(record),
      (refusal, record) => failure(refusalError(refusal, changesOf(record)[refusal.index])),
      (applied) => ({ changes: applied.map(presentApplied), count: applied.length }),
    );
    if (result && 'applied' in result) await this.routes.afterScheduledChangeset(result.applied);
    return result;
  }

  // Approvals by keys still valid at the time (a revoked approver's approval no longer counts).
  private async validApprovals(record: ScheduledChangesetRecord): Promise<number> {
    let valid = 0;
    for (const approval of record.approvals) if (!(await this.authenticator.isWithdrawn(approval.key_id))) valid += 1;
    return valid;
  }

  private async plan(record: ScheduledChangesetRecord): Promise<DuePlan> {
    if (await this.authenticator.isWithdrawn(record.createdByKeyId)) {
      return {
        refuse: {
          error: 'AUTH.KEY_WITHDRAWN',
          message: `The key that scheduled this changeset (${record.createdBy}, ${record.createdByKeyId}) has been revoked or has expired since`,
        },
      };
    }
    const approvals = await this.validApprovals(record);
    if (approvals < record.approvalsRequired) {
      return {
        refuse: {
          error: 'SCHEDULE.NOT_APPROVED',
          message: `It needed ${record.approvalsRequired} approval(s) by other keys before its time and had ${approvals}`,
          approvals_required: record.approvalsRequired,
          approvals,
        },
      };
    }
    const author: Principal = { keyId: record.createdByKeyId, keyName: record.createdBy, tenant: record.tenant, role: 'writer' };
    const changes = changesOf(record);
    const forceReason = record.forceReason ?? undefined;
    // Four-eyes: approved by other keys, so a tenant's mass-deactivation breaker lets it through.
    const approvedBy = record.approvalsRequired > 0 ? record.approvals.map((approval) => approval.by).join(',') : undefined;
    return {
      items: changes.map((change) => itemOf(change, forceReason)),
      events: changes.map((change) => draftEvent(change.key, author, record.correlationId)),
      ...(approvedBy ? { approvedBy } : {}),
    };
  }
}

// The stored changes, parsed again by the changeset's own validator (they were valid when accepted).
function changesOf(record: ScheduledChangesetRecord): ChangesetChange[] {
  const parsed = parseChangesetBody({ tenant: record.tenant, changes: record.changes });
  if (!parsed.value) throw new Error(`scheduled changeset ${record.id} holds changes that no longer validate: ${JSON.stringify(parsed.details)}`);
  return parsed.value.changes;
}

function failure(err: Error): unknown {
  if (!(err instanceof DomainError)) return { error: 'SERVER.ERROR', message: err.message };
  return { error: err.code, message: err.message, ...(err.context ?? {}), ...(err.details ? { details: err.details } : {}) };
}

function presentApplied(change: AppliedChange) {
  return { outcome: change.created ? 'created' : change.changed ? 'changed' : 'unchanged', route: RouteResponseDto.from(change.route) };
}

function present(record: ScheduledChangesetRecord): ScheduleResponseDto {
  return {
    id: record.id,
    tenant: record.tenant,
    status: record.status,
    scheduled_at: record.scheduledAt.toISOString(),
    changes: record.changes as ScheduleResponseDto['changes'],
    created_at: record.createdAt.toISOString(),
    created_by: record.createdBy,
    created_by_key_id: record.createdByKeyId,
    correlation_id: record.correlationId,
    finished_at: record.finishedAt ? record.finishedAt.toISOString() : null,
    outcome: (record.outcome ?? null) as ScheduleResponseDto['outcome'],
    cancelled_by: record.cancelledBy,
    approvals_required: record.approvalsRequired,
    approvals: record.approvals,
    force: record.forceReason !== null,
    reason: record.forceReason,
  };
}

// Opaque to clients: keyset pagination on (scheduled_at, id), newest first.
function encodeScheduleCursor(record: ScheduledChangesetRecord): string {
  return Buffer.from(`before:${record.scheduledAt.toISOString()}|${record.id}`).toString('base64url');
}

const CURSOR = /^before:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function decodeScheduleCursor(cursor: string): { scheduledAt: Date; id: string } {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const scheduledAt = match ? new Date(match[1]) : new Date(NaN);
  if (!match || Number.isNaN(scheduledAt.getTime()) || Buffer.from(`before:${match[1]}|${match[2]}`).toString('base64url') !== cursor) {
    throw new InvalidCursorError();
  }
  return { scheduledAt, id: match[2] };
}
