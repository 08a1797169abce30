import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { createKey } from '../helpers/keys';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

const PATH = '/api/v1/schedules';
const names = ({ service, env, version }: Route) => ({ service, env, version });
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

// Scheduled changesets: accepted now, applied at their time by the scheduler of one of two real API
// instances (FOR UPDATE SKIP LOCKED), all changes or none.
describe('Scheduled changesets (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  let db: Client;

  beforeAll(async () => {
    a = await startApi();
    b = await startApi();
    db = await connectDb();
  });

  afterAll(async () => {
    await db.end();
    await b.close();
    await a.close();
  });

  const create = async (route: Route, url: string) => {
    const res = await a.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBeLessThan(300);
    return res.body as { revision: number };
  };
  const finished = (id: string, app = a) =>
    eventually(async () => {
      const res = await app.http.get(`${PATH}/${id}`);
      expect(res.body.status).not.toBe('pending');
      return res.body;
    });
  const revisions = async (route: Route) =>
    (
      await db.query(
        `SELECT r.revision, r.changed_by, r.correlation_id FROM route_revisions r JOIN endpoints e ON e.id = r.endpoint_id
         JOIN environments env ON env.id = e.environment_id JOIN services s ON s.id = env.service_id
         JOIN tenants t ON t.id = s.tenant_id WHERE t.name = $1 AND s.name = $2 AND env.name = $3 AND e.version = $4 ORDER BY r.revision`,
        [route.tenant, route.service, route.env, route.version],
      )
    ).rows as Array<{ revision: number; changed_by: string; correlation_id: string }>;

  it('should apply every change at its time, once across two instances, in the name and correlation of the request that scheduled it', async () => {
    const tenant = uniqueTenant('sched');
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => routeOf(tenant, v));
    await create(v1, 'https://one.example.com');
    await create(v2, 'https://two.example.com');
    const { client: writer } = await createKey(a.http, { tenant, role: 'writer', name: `deployer-${tenant}` });

    const scheduled = await writer.post(
      PATH,
      {
        tenant,
        scheduled_at: inMs(1_500),
        changes: [
          { action: 'upsert', ...names(v1), url: 'https://one-b.example.com', expected_revision: 1 },
          { action: 'deactivate', ...names(v2) },
          { action: 'upsert', ...names(v3), url: 'https://three.example.com' },
        ],
      },
      { 'x-correlation-id': 'cutover-1' },
    );
    expect(scheduled.status).toBe(201);
    expect(scheduled.body).toMatchObject({
      tenant,
      status: 'pending',
      created_by: `deployer-${tenant}`,
      correlation_id: 'cutover-1',
      finished_at: null,
      outcome: null,
      changes: [
        { action: 'upsert', service: 'payments', env: 'prod', version: 'v1', url: 'https://one-b.example.com', expected_revision: 1 },
        { action: 'deactivate', service: 'payments', env: 'prod', version: 'v2' },
        { action: 'upsert', service: 'payments', env: 'prod', version: 'v3', url: 'https://three.example.com' },
      ],
    });
    expect((await b.http.get(`/api/v1/routes/resolve?tenant=${tenant}&service=payments&env=prod&version=v1`)).body.url).toBe(
      'https://one.example.com',
    );

    const appliedBefore =
      (await scrape(a.http, 'scheduled_changesets_total', { outcome: 'applied' })) +
      (await scrape(b.http, 'scheduled_changesets_total', { outcome: 'applied' }));
    const done = await finished(scheduled.body.id, b);
    expect(done).toMatchObject({
      status: 'applied',
      outcome: {
        count: 3,
        changes: [
          { outcome: 'changed', route: { version: 'v1', url: 'https://one-b.example.com', revision: 2 } },
          { outcome: 'changed', route: { version: 'v2', is_active: false, revision: 2 } },
          { outcome: 'created', route: { version: 'v3', revision: 1 } },
        ],
      },
    });
    expect(Date.parse(done.finished_at)).toBeGreaterThanOrEqual(Date.parse(scheduled.body.scheduled_at));
    expect(await revisions(v1)).toEqual([
      expect.objectContaining({ revision: 1 }),
      { revision: 2, changed_by: `deployer-${tenant}`, correlation_id: 'cutover-1' },
    ]);
    expect((await b.http.get(`/api/v1/routes/resolve?tenant=${tenant}&service=payments&env=prod&version=v1`)).body.url).toBe(
      'https://one-b.example.com',
    );
    expect((await a.http.get(`/api/v1/routes/resolve?tenant=${tenant}&service=payments&env=prod&version=v2`)).status).toBe(404);
    const appliedAfter =
      (await scrape(a.http, 'scheduled_changesets_total', { outcome: 'applied' })) +
      (await scrape(b.http, 'scheduled_changesets_total', { outcome: 'applied' }));
    expect(appliedAfter).toBeGreaterThanOrEqual(appliedBefore + 1);
  });

  it('should record a changeset that cannot apply at its time as failed, with the error, and apply none of it', async () => {
    const tenant = uniqueTenant('schedf');
    const [v1, v2] = ['v1', 'v2'].map((v) => routeOf(tenant, v));
    await create(v1, 'https://one.example.com');
    const scheduled = await a.http.post(PATH, {
      tenant,
      scheduled_at: inMs(1_000),
      changes: [
        { action: 'upsert', ...names(v2), url: 'https://two.example.com' },
        { action: 'deactivate', ...names(v1), expected_revision: 1 },
      ],
    });
    expect(scheduled.status).toBe(201);
    await create(v1, 'https://one-moved.example.com'); // revision 2: the precondition no longer holds

    expect(await finished(scheduled.body.id)).toMatchObject({
      status: 'failed',
      outcome: { error: 'ROUTE.PRECONDITION_FAILED', change_index: 1, current_revision: 2, version: 'v1' },
    });
    expect((await a.http.get(`/api/v1/routes/${tenant}/payments/prod/v2`)).status).toBe(404);
    expect((await a.http.get(`/api/v1/routes/${tenant}/payments/prod/v1`)).body).toMatchObject({ is_active: true, revision: 2 });
  });

  it('should record a schedule that cannot be applied for another reason as failed, so the ones due after it still run', async () => {
    const tenant = uniqueTenant('schedp');
    const route = routeOf(tenant);
    // Written past the API's validation (as a bad migration or a hand edit could): changes that no longer parse.
    const { rows } = await db.query(
      `INSERT INTO scheduled_changesets (id, tenant, changes, scheduled_at, created_by, created_by_key_id)
       VALUES (gen_random_uuid(), $1, '[{"action":"explode"}]', now() + interval '500 milliseconds', 'hand', 'hand') RETURNING id`,
      [tenant],
    );
    const next = await a.http.post(PATH, {
      tenant,
      scheduled_at: inMs(1_000),
      changes: [{ action: 'upsert', ...names(route), url: 'https://after.example.com' }],
    });
    expect(next.status).toBe(201);

    expect(await finished(rows[0].id)).toMatchObject({
      status: 'failed',
      outcome: { error: 'SERVER.ERROR', message: expect.stringMatching(/^The changeset could not be applied: /) },
    });
    expect(await finished(next.body.id)).toMatchObject({ status: 'applied' });
  });

  it('should not apply a schedule whose key was revoked before its time', async () => {
    const tenant = uniqueTenant('schedk');
    const route = routeOf(tenant);
    await create(route, 'https://one.example.com');
    const { id, client: writer } = await createKey(a.http, { tenant, role: 'writer' });
    const scheduled = await writer.post(PATH, { tenant, scheduled_at: inMs(1_500), changes: [{ action: 'deactivate', ...names(route) }] });
    expect(scheduled.status).toBe(201);
    expect((await a.http.delete(`/api/v1/keys/${id}`)).status).toBe(200);

    expect(await finished(scheduled.body.id)).toMatchObject({ status: 'failed', outcome: { error: 'AUTH.KEY_WITHDRAWN' } });
    expect((await a.http.get(`/api/v1/routes/${tenant}/payments/prod/v1`)).body).toMatchObject({ is_active: true, revision: 1 });
  });

  it('should cancel a pending schedule once, list schedules by status with a cursor, and keep tenants apart', async () => {
    const tenant = uniqueTenant('schedc');
    const route = routeOf(tenant);
    const ids: string[] = [];
    for (const minutes of [10, 20, 30]) {
      const res = await a.http.post(PATH, {
        tenant,
        scheduled_at: inMs(minutes * 60_000),
        changes: [{ action: 'upsert', ...names(route), url: `https://m${minutes}.example.com` }],
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const cancelled = await a.http.post(`${PATH}/${ids[0]}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelled_by: 'bootstrap-admin', finished_at: expect.any(String) });
    const again = await a.http.post(`${PATH}/${ids[0]}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'SCHEDULE.STATUS_CONFLICT', status: 'cancelled', id: ids[0] });

    const first = await a.http.get(`${PATH}?tenant=${tenant}&status=pending&limit=1`);
    expect(first.body).toMatchObject({ count: 1, schedules: [{ id: ids[2] }] });
    const second = await a.http.get(`${PATH}?tenant=${tenant}&status=pending&limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ count: 1, schedules: [{ id: ids[1] }], next_cursor: null });
    expect((await a.http.get(`${PATH}?tenant=${tenant}&status=cancelled`)).body).toMatchObject({ count: 1, schedules: [{ id: ids[0] }] });

    const { client: stranger } = await createKey(a.http, { tenant: uniqueTenant('other'), role: 'admin' });
    expect((await stranger.get(`${PATH}/${ids[1]}`)).status).toBe(404);
    expect((await stranger.post(`${PATH}/${ids[1]}/cancel`, {})).status).toBe(404);
    expect((await stranger.get(`${PATH}?tenant=${tenant}`)).body).toMatchObject({ count: 0 });
    const foreign = await stranger.post(PATH, { tenant, scheduled_at: inMs(60_000), changes: [{ action: 'deactivate', ...names(route) }] });
    expect(foreign.status).toBe(404);
    const { client: reader } = await createKey(a.http, { tenant, role: 'reader' });
    expect((await reader.post(`${PATH}/${ids[1]}/cancel`, {})).status).toBe(403);
    expect((await reader.get(`${PATH}/${ids[1]}`)).status).toBe(200);
    // Leave nothing pending behind for later runs against the same database.
    for (const id of ids.slice(1)) expect((await a.http.post(`${PATH}/${id}/cancel`, {})).status).toBe(200);
  });

  it('should apply a four-eyes schedule only with approvals by other keys still valid at its time', async () => {
    const tenant = uniqueTenant('scheda');
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => routeOf(tenant, v));
    for (const route of [v1, v2, v3]) await create(route, 'https://before.example.com');
    const { client: author } = await createKey(a.http, { tenant, role: 'writer', name: `author-${tenant}` });
    const { client: approver } = await createKey(a.http, { tenant, role: 'writer', name: `approver-${tenant}` });
    const { id: leaverId, client: leaver } = await createKey(a.http, { tenant, role: 'writer' });
    const { client: reader } = await createKey(a.http, { tenant, role: 'reader' });
    const schedule = async (route: Route) => {
      const res = await author.post(PATH, {
        tenant,
        scheduled_at: inMs(2_000),
        approvals_required: 1,
        changes: [{ action: 'upsert', ...names(route), url: 'https://after.example.com' }],
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ approvals_required: 1, approvals: [] });
      return res.body.id as string;
    };
    const approved = await schedule(v1);
    const unapproved = await schedule(v2);
    const approvedByLeaver = await schedule(v3);

    const own = await author.post(`${PATH}/${approved}/approve`, {});
    expect(own.status).toBe(409);
    expect(own.body).toMatchObject({ error: 'SCHEDULE.APPROVAL_CONFLICT', message: expect.stringMatching(/cannot approve it/) });
    expect((await reader.post(`${PATH}/${approved}/approve`, {})).status).toBe(403);
    const yes = await approver.post(`${PATH}/${approved}/approve`, {});
    expect(yes.status).toBe(200);
    expect(yes.body.approvals).toEqual([{ by: `approver-${tenant}`, key_id: expect.any(String), at: expect.any(String) }]);
    expect((await approver.post(`${PATH}/${approved}/approve`, {})).body).toMatchObject({ error: 'SCHEDULE.APPROVAL_CONFLICT' });
    expect((await leaver.post(`${PATH}/${approvedByLeaver}/approve`, {})).status).toBe(200);
    expect((await a.http.delete(`/api/v1/keys/${leaverId}`)).status).toBe(200);

    expect(await finished(approved)).toMatchObject({ status: 'applied' });
    expect(await finished(unapproved)).toMatchObject({
      status: 'failed',
      outcome: { error: 'SCHEDULE.NOT_APPROVED', approvals_required: 1, approvals: 0 },
    });
    expect(await finished(approvedByLeaver)).toMatchObject({ status: 'failed', outcome: { error: 'SCHEDULE.NOT_APPROVED', approvals: 0 } });
    expect((await a.http.get(`/api/v1/routes/${tenant}/payments/prod/v1`)).body.url).toBe('https://after.example.com');
    for (const route of [v2, v3])
      expect((await a.http.get(`/api/v1/routes/${tenant}/payments/prod/${route.version}`)).body.url).toBe('https://before.example.com');

    // Finished, or needing no approval: nothing to approve.
    expect((await approver.post(`${PATH}/${unapproved}/approve`, {})).body).toMatchObject({ error: 'SCHEDULE.STATUS_CONFLICT', status: 'failed' });
    const plain = await author.post(PATH, { tenant, scheduled_at: inMs(60_000), changes: [{ action: 'deactivate', ...names(v1) }] });
    expect((await approver.post(`${PATH}/${plain.body.id}/approve`, {})).body).toMatchObject({ error: 'SCHEDULE.APPROVAL_CONFLICT' });
    expect((await author.post(`${PATH}/${plain.body.id}/cancel`, {})).status).toBe(200);
  });

  it('should refuse bad schedules with a 400 naming each problem', async () => {
    const tenant = uniqueTenant('schedv');
    const change = { action: 'upsert', service: 'payments', env: 'prod', version: 'v1', url: 'https://one.example.com' };
    const cases: Array<[unknown, Array<{ field: string; problem: string }>]> = [
      [{ tenant, changes: [change] }, [{ field: 'scheduled_at', problem: 'is required' }]],
      [
        { tenant, changes: [change], scheduled_at: '2026-01-01T00:00:00Z' },
        [{ field: 'scheduled_at', problem: expect.stringMatching(/^must be in the future/) }],
      ],
      [{ tenant, changes: [change], scheduled_at: '2099-01-01T00:00:00' }, [{ field: 'scheduled_at', problem: expect.stringMatching(/timezone/) }]],
      [{ tenant, changes: [change], scheduled_at: inMs(400 * 86_400_000) }, [{ field: 'scheduled_at', problem: 'must be at most 366 days ahead' }]],
      [{ tenant, changes: [change], scheduled_at: 17 }, [{ field: 'scheduled_at', problem: expect.stringMatching(/ISO 8601/) }]],
      [
        { tenant, changes: [{ ...change, url: 'ftp://x' }], scheduled_at: inMs(60_000), when: 'now' },
        [
          { field: 'when', problem: 'is not an accepted field' },
          { field: 'changes.0.url', problem: expect.any(String) },
        ],
      ],
      [{ tenant, changes: [], scheduled_at: inMs(60_000) }, [{ field: 'changes', problem: expect.stringMatching(/^must be an array/) }]],
      [
        { tenant, changes: [change], scheduled_at: inMs(60_000), approvals_required: 4 },
        [{ field: 'approvals_required', problem: 'must be an integer between 0 and 3' }],
      ],
      [
        { tenant, changes: [change], scheduled_at: inMs(60_000), approvals_required: '1' },
        [{ field: 'approvals_required', problem: 'must be an integer between 0 and 3' }],
      ],
    ];
    for (const [body, details] of cases) {
      const res = await a.http.post(PATH, body);
      expect({ body, status: res.status, error: res.body.error, details: res.body.details }).toEqual({
        body,
        status: 400,
        error: 'VALIDATION.FAILED',
        details,
      });
    }
    expect((await a.http.get(`${PATH}/not-a-uuid`)).status).toBe(400);
    expect((await a.http.get(`${PATH}/5b1e0f3e-8f0e-4a57-9d43-3c1b5c8f2a10`)).body).toMatchObject({ error: 'SCHEDULE.NOT_FOUND' });
    expect((await a.http.get(`${PATH}?cursor=abc`)).body).toMatchObject({ error: 'VALIDATION.FAILED', details: [{ field: 'cursor' }] });
    expect((await a.http.get(`${PATH}?status=done`)).body).toMatchObject({ error: 'VALIDATION.FAILED', details: [{ field: 'status' }] });
  });
});
