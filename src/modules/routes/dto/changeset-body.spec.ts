import { CHANGESET_MAX_CHANGES, parseChangesetBody } from './changeset-body';

const route = (version: string) => ({ service: 'payments', env: 'prod', version });
const key = (version: string) => ({ tenant: 'team-a', ...route(version) });
const URL_PROBLEM = 'must be an absolute http:// or https:// URL';

describe(parseChangesetBody.name, () => {
  it('should accept every action, with its own fields, and give each change the tenant', () => {
    const parsed = parseChangesetBody({
      tenant: ' team-a ',
      changes: [
        { action: 'upsert', ...route('v1'), url: 'https://a.example.com', expected_revision: 0 },
        { action: 'activate', ...route('v2') },
        { action: 'deactivate', ...route(' v3 '), expected_revision: 4 },
        { action: 'rollback', ...route('v4'), to_revision: 2 },
      ],
    });

    expect(parsed).toEqual({
      value: {
        tenant: 'team-a',
        changes: [
          { action: 'upsert', key: key('v1'), url: 'https://a.example.com', expected_revision: 0 },
          { action: 'activate', key: key('v2') },
          { action: 'deactivate', key: key('v3'), expected_revision: 4 },
          { action: 'rollback', key: key('v4'), to_revision: 2 },
        ],
      },
    });
  });

  it("should report each change's problems under changes.<i>, as the single write would", () => {
    const parsed = parseChangesetBody({
      tenant: 'team-a',
      changes: [
        { action: 'upsert', ...route('v1'), url: 'ftp://a.example.com' },
        { action: 'activate', ...route('v2'), url: 'https://a.example.com' },
        { action: 'rollback', ...route('v3') },
        { action: 'delete', ...route('v4') },
        { ...route('v5') },
        'v6',
        { action: 'deactivate', service: 'payments', env: 'prod', version: 'a:b', expected_revision: -1 },
      ],
    });

    expect(parsed.details).toEqual([
      { field: 'changes.0.url', problem: URL_PROBLEM },
      { field: 'changes.1.url', problem: 'is not an accepted field' },
      { field: 'changes.2.to_revision', problem: 'is required' },
      { field: 'changes.3.action', problem: 'must be one of upsert, activate, deactivate, rollback' },
      { field: 'changes.4.action', problem: 'is required' },
      { field: 'changes.5', problem: 'must be an object' },
      { field: 'changes.6.expected_revision', problem: 'must be a whole number from 0 to 2147483647' },
      { field: 'changes.6.version', problem: 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"' },
    ]);
  });

  it('should refuse a tenant inside a change, and report a bad tenant once', () => {
    expect(parseChangesetBody({ tenant: 'team-a', changes: [{ action: 'activate', ...route('v1'), tenant: 'team-b' }] }).details).toEqual([
      { field: 'changes.0.tenant', problem: 'is not an accepted field (the changeset names its tenant once, at the top)' },
    ]);
    expect(
      parseChangesetBody({
        tenant: 'a:b',
        changes: [
          { action: 'activate', ...route('v1') },
          { action: 'activate', ...route('v2') },
        ],
      }).details,
    ).toEqual([{ field: 'tenant', problem: 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"' }]);
    expect(parseChangesetBody({ changes: [{ action: 'activate', ...route('v1') }] }).details).toEqual([{ field: 'tenant', problem: 'is required' }]);
  });

  it('should refuse two changes of one route, naming the first', () => {
    expect(
      parseChangesetBody({
        tenant: 'team-a',
        changes: [
          { action: 'activate', ...route('v1') },
          { action: 'activate', ...route('v2') },
          { action: 'deactivate', ...route(' v1') },
        ],
      }).details,
    ).toEqual([{ field: 'changes.2', problem: 'names the same route as changes.0' }]);
  });

  it.each([
    [{ tenant: 'team-a' }, 'is required'],
    [{ tenant: 'team-a', changes: null }, 'is required'],
    [{ tenant: 'team-a', changes: [] }, `must be an array of 1 to ${CHANGESET_MAX_CHANGES} changes`],
    [{ tenant: 'team-a', changes: { 0: {} } }, `must be an array of 1 to ${CHANGESET_MAX_CHANGES} changes`],
    [
      { tenant: 'team-a', changes: Array.from({ length: CHANGESET_MAX_CHANGES + 1 }, (_, i) => ({ action: 'activate', ...route(`v${i}`) })) },
      `must be an array of 1 to ${CHANGESET_MAX_CHANGES} changes`,
    ],
  ])('should refuse changes of %j', (body, problem) => {
    expect(parseChangesetBody(body).details).toEqual([{ field: 'changes', problem }]);
  });

  it('should refuse unknown fields at both levels, names of Object.prototype members included', () => {
    const change = JSON.parse('{"action":"activate","service":"payments","env":"prod","version":"v1","__proto__":{"x":1},"constructor":1}');
    const body = JSON.parse('{"tenant":"team-a","toString":1}');
    body.changes = [change];

    expect(parseChangesetBody(body).details).toEqual([
      { field: 'toString', problem: 'is not an accepted field' },
      { field: 'changes.0.__proto__', problem: 'is not an accepted field' },
      { field: 'changes.0.constructor', problem: 'is not an accepted field' },
    ]);
  });

  it('should take force and its reason once, for the whole changeset', () => {
    const changes = [{ action: 'deactivate', ...route('v1') }];
    expect(parseChangesetBody({ tenant: 'team-a', force: true, reason: 'decommission', changes }).value).toEqual({
      tenant: 'team-a',
      changes: [{ action: 'deactivate', key: key('v1') }],
      force: true,
      reason: 'decommission',
    });
    expect(parseChangesetBody({ tenant: 'team-a', force: true, changes }).details).toEqual([
      { field: 'reason', problem: 'is required with "force": true (why the interlock is overridden)' },
    ]);
    expect(parseChangesetBody({ tenant: 'team-a', reason: 'x', changes }).details).toEqual([
      { field: 'reason', problem: 'is accepted only with "force": true' },
    ]);
  });

  it.each([['deactivate'], ['rollback'], ['activate']])('should refuse force and reason inside a %s change', (action) => {
    const change = { action, ...route('v1'), ...(action === 'rollback' ? { to_revision: 1 } : {}), force: true, reason: 'x' };
    const problem = 'is not an accepted field (a changeset is forced as a whole: send it once, at the top)';
    expect(parseChangesetBody({ tenant: 'team-a', changes: [change] }).details).toEqual([
      { field: 'changes.0.force', problem },
      { field: 'changes.0.reason', problem },
    ]);
  });

  it('should take dry_run at the top, as true or false only', () => {
    const changes = [{ action: 'activate', ...route('v1') }];
    expect(parseChangesetBody({ tenant: 'team-a', dry_run: true, changes }).value).toMatchObject({ dry_run: true });
    expect(parseChangesetBody({ tenant: 'team-a', changes }).value).not.toHaveProperty('dry_run');
    expect(parseChangesetBody({ tenant: 'team-a', dry_run: 'yes', changes }).details).toEqual([
      { field: 'dry_run', problem: 'must be true or false' },
    ]);
    expect(parseChangesetBody({ tenant: 'team-a', changes: [{ ...changes[0], dry_run: true }] }).details).toEqual([
      { field: 'changes.0.dry_run', problem: 'is not an accepted field' },
    ]);
  });
});
