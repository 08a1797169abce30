import { ErrorDetail } from '../../../common/errors/domain.error';
import { HandValidated } from '../../../common/validation/hand-validators';
import { unknownFields } from '../../../common/validation/route-key-query';
import { parseZonedTimestamp, ZONED_TIMESTAMP_PROBLEM } from '../../../common/validation/zoned-timestamp';
import { ChangesetChange, parseChangesetBody } from './changeset-body';
import { FORCE_FIELD, ForceOverride, REASON_FIELD } from './force-override';

// How far ahead a changeset may be scheduled.
export const SCHEDULE_MAX_AHEAD_DAYS = 366;
export const SCHEDULE_MAX_APPROVALS = 3;

export interface ScheduleBody extends ForceOverride {
  tenant: string;
  changes: ChangesetChange[];
  scheduledAt: Date;
  approvalsRequired: number;
}

// A changeset (parseChangesetBody: the same changes, rules and messages, force and reason included) plus `scheduled_at`, a
// zoned time in the future, at most SCHEDULE_MAX_AHEAD_DAYS ahead, and optionally
// `approvals_required` (0 to SCHEDULE_MAX_APPROVALS, default 0).
export function parseScheduleBody(input: object, now = new Date()): HandValidated<ScheduleBody> {
  const source = input as Record<string, unknown>;
  const details: ErrorDetail[] = unknownFields(source, ['tenant', 'changes', FORCE_FIELD, REASON_FIELD, 'scheduled_at', 'approvals_required']);
  const raw = Object.prototype.hasOwnProperty.call(source, 'scheduled_at') ? source.scheduled_at : undefined;
  const parsed = parseChangesetBody(pick(source, ['tenant', 'changes', FORCE_FIELD, REASON_FIELD]));
  if (parsed.details) details.push(...parsed.details);
  const scheduledAt = scheduledAtOf(raw, now, details);
  const approvals = Object.prototype.hasOwnProperty.call(source, 'approvals_required') ? source.approvals_required : 0;
  const approvalsOk = Number.isInteger(approvals) && (approvals as number) >= 0 && (approvals as number) <= SCHEDULE_MAX_APPROVALS;
  if (!approvalsOk) details.push({ field: 'approvals_required', problem: `must be an integer between 0 and ${SCHEDULE_MAX_APPROVALS}` });
  if (details.length || !parsed.value || !scheduledAt) return { details };
  const { tenant, changes, force, reason } = parsed.value;
  return {
    value: {
      tenant,
      changes,
      scheduledAt,
      approvalsRequired: approvals as number,
      ...(force === undefined ? {} : { force }),
      ...(reason === undefined ? {} : { reason }),
    },
  };
}

function scheduledAtOf(raw: unknown, now: Date, details: ErrorDetail[]): Date | undefined {
  if (raw === undefined || raw === null) {
    details.push({ field: 'scheduled_at', problem: 'is required' });
    return undefined;
  }
  const at = typeof raw === 'string' ? parseZonedTimestamp(raw.trim()) : null;
  if (!at) {
    details.push({ field: 'scheduled_at', problem: ZONED_TIMESTAMP_PROBLEM });
    return undefined;
  }
  if (at.getTime() <= now.getTime()) {
    details.push({ field: 'scheduled_at', problem: `must be in the future (it is ${now.toISOString()} now)` });
    return undefined;
  }
  if (at.getTime() > now.getTime() + SCHEDULE_MAX_AHEAD_DAYS * 86_400_000) {
    details.push({ field: 'scheduled_at', problem: `must be at most ${SCHEDULE_MAX_AHEAD_DAYS} days ahead` });
    return undefined;
  }
  return at;
}

function pick(source: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = Object.create(null);
  for (const field of fields) if (Object.prototype.hasOwnProperty.call(source, field)) picked[field] = source[field];
  return picked;
}

// A change as the request gave it (and as GET shows it): the changeset's own field names.
export function changeAsRequested(change: ChangesetChange): Record<string, unknown> {
  const { key, action, ...options } = change;
  return { action, service: key.service, env: key.env, version: key.version, ...options };
}
