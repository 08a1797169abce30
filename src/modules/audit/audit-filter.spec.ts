import { ALL_TENANTS } from '../../contracts/principal';
import { toAuditQuery } from './audit-filter';

describe(toAuditQuery.name, () => {
  const teamA = { tenant: 'team-a' };

  it('should leave a platform scope unrestricted', () => {
    expect(toAuditQuery(ALL_TENANTS, {}, undefined)).toEqual({});
    expect(toAuditQuery(ALL_TENANTS, { route: { tenant: 'team-b' } }, undefined)).toEqual({ 'route.tenant': 'team-b' });
  });

  it('should restrict a tenant scope to its tenant when no tenant filter is given', () => {
    expect(toAuditQuery(teamA, { route: { service: 'payments' }, action: 'updated' }, undefined)).toEqual({
      'route.tenant': 'team-a',
      'route.service': 'payments',
      action: 'updated',
    });
  });

  it('should keep a tenant filter that names the scope', () => {
    expect(toAuditQuery(teamA, { route: { tenant: 'team-a', service: undefined } }, undefined)).toEqual({ 'route.tenant': 'team-a' });
  });

  it('should match nothing when the tenant filter names another tenant than the scope', () => {
    expect(toAuditQuery(teamA, { route: { tenant: 'team-b' } }, undefined)).toBeNull();
  });

  it('should filter by the key name and id exactly', () => {
    expect(toAuditQuery(ALL_TENANTS, { changedBy: 'deploy-bot', changedByKeyId: 'k-1' }, undefined)).toEqual({
      changed_by: 'deploy-bot',
      changed_by_key_id: 'k-1',
    });
  });

  it("should filter by the write request's correlation id exactly", () => {
    expect(toAuditQuery(ALL_TENANTS, { correlationId: 'deploy-42' }, undefined)).toEqual({ correlation_id: 'deploy-42' });
  });

  it('should bound occurred_at by the window and continue after the cursor position', () => {
    const from = new Date('2026-11-23T00:00:00Z');
    const to = new Date('2026-11-30T00:00:00Z');
    const after = { occurredAt: new Date('2026-11-25T00:00:00Z'), eventId: 'e-9' };

    expect(toAuditQuery(teamA, { from, to }, after)).toEqual({
      'route.tenant': 'team-a',
      occurred_at: { $gte: from, $lte: to },
      $or: [{ occurred_at: { $lt: after.occurredAt } }, { occurred_at: after.occurredAt, event_id: { $lt: 'e-9' } }],
    });
  });
});
