import { parseChangesetBody } from './changeset-body';
import { changeAsRequested, parseScheduleBody } from './schedule-body';

const NOW = new Date('2026-12-03T12:00:00.000Z');
const CHANGES = [
  { action: 'upsert', service: 'payments', env: 'prod', version: 'v2', url: 'https://two.example.com', expected_revision: 3 },
  { action: 'rollback', service: 'payments', env: 'prod', version: 'v1', to_revision: 4 },
  { action: 'deactivate', service: 'billing', env: 'prod', version: 'v1' },
];

describe('parseScheduleBody', () => {
  it('should accept a changeset with a zoned time in the future, read as UTC', () => {
    const parsed = parseScheduleBody({ tenant: ' team-a ', changes: CHANGES, scheduled_at: '2026-12-24T02:00:00+01:00' }, NOW);
    expect(parsed.details).toBeUndefined();
    expect(parsed.value!.scheduledAt.toISOString()).toBe('2026-12-24T01:00:00.000Z');
    expect(parsed.value!.tenant).toBe('team-a');
    expect(parsed.value!.changes).toEqual(parseChangesetBody({ tenant: 'team-a', changes: CHANGES }).value!.changes);
  });

  it.each([
    ['missing', undefined, 'is required'],
    ['null', null, 'is required'],
    ['now', NOW.toISOString(), `must be in the future (it is ${NOW.toISOString()} now)`],
    ['in the past', '2026-12-03T11:59:59.999Z', `must be in the future (it is ${NOW.toISOString()} now)`],
    ['without a zone', '2026-12-24T02:00:00', expect.stringMatching(/with a timezone/)],
    ['a number', 1_796_000_000_000, expect.stringMatching(/with a timezone/)],
    ['too far ahead', '2027-12-05T12:00:00Z', 'must be at most 366 days ahead'],
  ])('should refuse a scheduled_at %s', (_what, scheduledAt, problem) => {
    const body: Record<string, unknown> = { tenant: 'team-a', changes: CHANGES };
    if (scheduledAt !== undefined) body.scheduled_at = scheduledAt;
    expect(parseScheduleBody(body, NOW).details).toEqual([{ field: 'scheduled_at', problem }]);
  });

  it("should report unknown fields first, then the changeset's own problems and the time's, all at once", () => {
    const parsed = parseScheduleBody(
      { when: 'soon', tenant: 'team a', changes: [{ action: 'upsert', service: 'p', env: 'e', version: 'v' }], scheduled_at: 'x' },
      NOW,
    );
    expect(parsed.details!.map((detail) => detail.field)).toEqual(['when', 'tenant', 'changes.0.url', 'scheduled_at']);
  });

  it('should give back the changes as they were asked for, so parsing them again gives the same changes', () => {
    const changes = parseChangesetBody({ tenant: 'team-a', changes: CHANGES }).value!.changes;
    const stored = changes.map(changeAsRequested);
    expect(stored).toEqual(CHANGES);
    expect(parseChangesetBody({ tenant: 'team-a', changes: stored }).value!.changes).toEqual(changes);
  });
});

describe('parseScheduleBody force', () => {
  const at = '2026-12-24T02:00:00Z';

  it('should keep the changeset-level force and reason', () => {
    const parsed = parseScheduleBody({ tenant: 'team-a', changes: CHANGES, scheduled_at: at, force: true, reason: 'billing retired' }, NOW);
    expect(parsed.value).toMatchObject({ force: true, reason: 'billing retired' });
  });

  it('should refuse force without a reason, as a changeset does', () => {
    expect(parseScheduleBody({ tenant: 'team-a', changes: CHANGES, scheduled_at: at, force: true }, NOW).details).toEqual([
      { field: 'reason', problem: 'is required with "force": true (why the interlock is overridden)' },
    ]);
  });
});

describe('parseScheduleBody approvals_required', () => {
  const body = (approvals: unknown) => ({ tenant: 'team-a', changes: CHANGES, scheduled_at: '2026-12-24T02:00:00Z', approvals_required: approvals });

  it('should default to none and accept 0 to 3', () => {
    expect(parseScheduleBody({ tenant: 'team-a', changes: CHANGES, scheduled_at: '2026-12-24T02:00:00Z' }, NOW).value!.approvalsRequired).toBe(0);
    for (const n of [0, 1, 2, 3]) expect(parseScheduleBody(body(n), NOW).value!.approvalsRequired).toBe(n);
  });

  it.each([[4], [-1], [1.5], ['1'], [null], [true]])('should refuse %p', (approvals) => {
    expect(parseScheduleBody(body(approvals), NOW).details).toEqual([{ field: 'approvals_required', problem: 'must be an integer between 0 and 3' }]);
  });
});
