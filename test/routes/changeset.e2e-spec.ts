import { Client } from 'pg';
import { connectDb, outboxFor } from '../helpers/database';
import { resolvePath } from '../helpers/http';
import { createKey } from '../helpers/keys';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

const PATH = '/api/v1/routes/changeset';
const messageKey = (route: Route) => `${route.tenant}:${route.service}:${route.env}:${route.version}`;
const names = ({ service, env, version }: Route) => ({ service, env, version });

// Changesets: several route changes of one tenant in one transaction, all applied or none.
describe('Route changesets (e2e)', () => {
  let api: TestApp;
  let db: Client;

  beforeAll(async () => {
    api = await startApi();
    db = await connectDb();
  });

  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const create = async (route: Route, url: string) => {
    const res = await api.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBe(201);
  };
  const eventCount = async (routes: Route[]) =>
    (await Promise.all(routes.map((r) => outboxFor(db, messageKey(r))))).reduce((n, e) => n + e.length, 0);
  const revisionRows = async (tenant: string) =>
    (
      await db.query(
        `SELECT count(*)::int AS n FROM route_revisions r JOIN endpoints e ON e.id = r.endpoint_id
         JOIN environments env ON env.id = e.environment_id JOIN services s ON s.id = env.service_id
         JOIN tenants t ON t.id = s.tenant_id WHERE t.name = $1`,
        [tenant],
      )
    ).rows[0].n as number;

  it('should apply every change in one transaction, each with its revision, event and history row', async () => {
    const tenant = uniqueTenant('cs');
    const [v1, v2, v3, v4] = ['v1', 'v2', 'v3', 'v4'].map((v) => routeOf(tenant, v));
    await create(v1, 'https://one.example.com');
    await create(v2, 'https://two.example.com');
    await create(v4, 'https://four-a.example.com');
    await api.http.post('/api/v1/routes', { ...v4, url: 'https://four-b.example.com' });

    const res = await api.http.post(
      PATH,
      {
        tenant,
        changes: [
          { action: 'upsert', ...names(v3), url: 'https://three.example.com' },
          { action: 'deactivate', ...names(v1), expected_revision: 1 },
          { action: 'upsert', ...names(v2), url: 'https://two.example.com' },
          { action: 'rollback', ...names(v4), to_revision: 1 },
        ],
      },
      { 'x-correlation-id': `${tenant}-cs` },
    );

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      tenant,
      count: 4,
      changes: [
        { outcome: 'created', route: expect.objectContaining({ ...v3, url: 'https://three.example.com', revision: 1, is_active: true }) },
        { outcome: 'changed', route: expect.objectContaining({ ...v1, is_active: false, revision: 2 }) },
        { outcome: 'unchanged', route: expect.objectContaining({ ...v2, revision: 1 }) },
        { outcome: 'changed', route: expect.objectContaining({ ...v4, url: 'https://four-a.example.com', revision: 3 }) },
      ],
    });
    expect((await api.http.get(resolvePath(v1))).status).toBe(404);
    expect((await api.http.get(resolvePath(v3))).body.url).toBe('https://three.example.com');
    expect((await api.http.get(resolvePath(v4))).body.url).toBe('https://four-a.example.com');
    const events = (await Promise.all([v3, v1, v4].map((r) => outboxFor(db, messageKey(r))))).map((e) => e.at(-1)!);
    expect(events.map((e) => [e.payload.action, e.headers['x-correlation-id']])).toEqual([
      ['created', `${tenant}-cs`],
      ['deactivated', `${tenant}-cs`],
      ['updated', `${tenant}-cs`],
    ]);
    expect(await eventCount([v1, v2, v3, v4])).toBe(4 + 3);
    expect(await revisionRows(tenant)).toBe(4 + 3);
  });

  it.each([
    ['a missing route', { action: 'activate', service: 'payments', env: 'prod', version: 'v9' }, 404, 'ROUTE.NOT_FOUND'],
    [
      'a stale expected_revision',
      { action: 'deactivate', service: 'payments', env: 'prod', version: 'v2', expected_revision: 7 },
      412,
      'ROUTE.PRECONDITION_FAILED',
    ],
    ['a revision not kept', { action: 'rollback', service: 'payments', env: 'prod', version: 'v2', to_revision: 5 }, 404, 'ROUTE.REVISION_NOT_FOUND'],
    [
      'create-only on an existing route',
      { action: 'upsert', service: 'payments', env: 'prod', version: 'v2', url: 'https://x.example.com', expected_revision: 0 },
      412,
      'ROUTE.PRECONDITION_FAILED',
    ],
  ])('should write nothing at all when one change fails (%s), naming that change', async (_what, failing, status, error) => {
    const tenant = uniqueTenant('csfail');
    const v1 = routeOf(tenant, 'v1');
    const v2 = routeOf(tenant, 'v2');
    await create(v1, 'https://one.example.com');
    await create(v2, 'https://two.example.com');
    const before = { events: await eventCount([v1, v2]), revisions: await revisionRows(tenant) };

    const res = await api.http.post(PATH, {
      tenant,
      changes: [
        { action: 'upsert', ...names(v1), url: 'https://one-b.example.com' },
        { action: 'upsert', service: 'payments', env: 'prod', version: 'v0', url: 'https://new.example.com' },
        failing,
      ],
    });

    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error, change_index: 2, message: expect.stringMatching(/^changes\.2: /), tenant, version: failing.version });
    expect((await api.http.get(resolvePath(v1))).body.url).toBe('https://one.example.com');
    expect((await api.http.get(resolvePath(routeOf(tenant, 'v0')))).status).toBe(404);
    expect((await api.http.get(`/api/v1/routes?tenant=${tenant}`)).body.count).toBe(2);
    expect({ events: await eventCount([v1, v2]), revisions: await revisionRows(tenant) }).toEqual(before);
  });

  it('should let two changesets over the same routes in opposite orders both commit (no deadlock)', async () => {
    const tenant = uniqueTenant('csorder');
    const routes = ['a', 'b', 'c', 'd'].map((v) => routeOf(tenant, v));
    for (const r of routes) await create(r, 'https://start.example.com');
    const changeset = (order: Route[], url: string) => ({ tenant, changes: order.map((r) => ({ action: 'upsert', ...names(r), url })) });

    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api.http.post(PATH, changeset(i % 2 ? [...routes].reverse() : routes, `https://round-${i}.example.com`))),
    );

    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const urls = await Promise.all(routes.map(async (r) => (await api.http.get(`/api/v1/routes/${r.tenant}/payments/prod/${r.version}`)).body.url));
    expect(new Set(urls).size).toBe(1);
  });

  it('should take 100 changes with long URLs, beyond the 16 KiB of a single write, and refuse a body over 256 KiB', async () => {
    const tenant = uniqueTenant('csbig');
    const long = `https://big.example.com/${'x'.repeat(1500)}`;
    const changes = Array.from({ length: 100 }, (_, i) => ({ action: 'upsert', service: 'svc', env: 'prod', version: `v${i}`, url: long }));

    const res = await api.http.post(PATH, { tenant, changes });
    const tooMany = await api.http.post(PATH, { tenant, changes: [...changes, { ...changes[0], version: 'v100' }] });

    expect(res.status).toBe(200);
    expect(res.body.changes.every((c: any) => c.outcome === 'created')).toBe(true);
    const oversized = await api.http.post(PATH, { tenant, changes: changes.map((c) => ({ ...c, url: `${long}${'y'.repeat(1500)}` })) });
    expect(oversized.status).toBe(413);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toEqual([{ field: 'changes', problem: 'must be an array of 1 to 100 changes' }]);
  });

  it('should answer 400 naming every problem, and refuse If-Match', async () => {
    const tenant = uniqueTenant('csbad');
    const bad = await api.http.post(PATH, {
      tenant,
      changes: [
        { action: 'upsert', service: 'payments', env: 'prod', version: 'v1' },
        { action: 'activate', service: 'payments', env: 'prod', version: 'v2' },
        { action: 'activate', service: 'payments', env: 'prod', version: 'v2' },
      ],
    });
    const ifMatch = await api.http.post(
      PATH,
      { tenant, changes: [{ action: 'activate', service: 'payments', env: 'prod', version: 'v1' }] },
      { 'if-match': '"1"' },
    );

    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([
      { field: 'changes.0.url', problem: 'is required' },
      { field: 'changes.2', problem: 'names the same route as changes.1' },
    ]);
    expect(ifMatch.status).toBe(400);
    expect(ifMatch.body.details).toEqual([{ field: 'If-Match', problem: 'is not accepted on a changeset: send expected_revision in each change' }]);
  });

  it("should keep to the key's tenant and role", async () => {
    const tenant = uniqueTenant('csscope');
    const v1 = routeOf(tenant, 'v1');
    await create(v1, 'https://one.example.com');
    const other = await createKey(api.http, { tenant: uniqueTenant('other'), role: 'writer' });
    const reader = await createKey(api.http, { tenant, role: 'reader' });
    const body = { tenant, changes: [{ action: 'deactivate', ...names(v1) }] };

    const foreign = await other.client.post(PATH, body);
    const readOnly = await reader.client.post(PATH, body);

    expect([foreign.status, foreign.body.error, foreign.body.change_index]).toEqual([404, 'ROUTE.NOT_FOUND', 0]);
    expect([readOnly.status, readOnly.body.error]).toEqual([403, 'AUTH.FORBIDDEN']);
    expect((await api.http.get(resolvePath(v1))).status).toBe(200);
  });

  it('should preview a changeset with dry_run: the same answer and revisions as applying it, and nothing written', async () => {
    const tenant = uniqueTenant('csdry');
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => routeOf(tenant, v));
    await create(v1, 'https://one.example.com');
    await create(v2, 'https://two.example.com');
    const body = {
      tenant,
      changes: [
        { action: 'upsert', ...names(v3), url: 'https://three.example.com' },
        { action: 'deactivate', ...names(v1) },
        { action: 'upsert', ...names(v2), url: 'https://two.example.com' },
      ],
    };
    const before = await eventCount([v1, v2, v3]);
    const revisionsBefore = await revisionRows(tenant);

    const preview = await api.http.post(PATH, { ...body, dry_run: true });

    expect(preview.status).toBe(200);
    expect(preview.body.dry_run).toBe(true);
    expect(preview.body.changes.map((c: any) => [c.outcome, c.route.version, c.route.is_active, c.route.revision])).toEqual([
      ['created', 'v3', true, 1],
      ['changed', 'v1', false, 2],
      ['unchanged', 'v2', true, 1],
    ]);
    expect(await eventCount([v1, v2, v3])).toBe(before);
    expect(await revisionRows(tenant)).toBe(revisionsBefore);
    expect((await api.http.get(resolvePath(v1))).body.url).toBe('https://one.example.com');
    expect((await api.http.get(resolvePath(v3))).status).toBe(404);
    // Applying it gives what the preview said.
    const applied = await api.http.post(PATH, body);
    expect(applied.body).not.toHaveProperty('dry_run');
    expect(applied.body.changes).toEqual(
      preview.body.changes.map((c: any) => ({ ...c, route: { ...c.route, created_at: expect.any(String), updated_at: expect.any(String) } })),
    );
  });

  it('should answer a preview that would be refused with the refusal, interlocks included', async () => {
    const tenant = uniqueTenant('csdry-refused');
    const v1 = routeOf(tenant, 'v1');
    await create(v1, 'https://one.example.com');
    expect((await api.http.put(`/api/v1/tenants/${tenant}/safety`, { protect_last_active: true })).status).toBe(200);

    const refused = await api.http.post(PATH, { tenant, dry_run: true, changes: [{ action: 'deactivate', ...names(v1) }] });
    const stale = await api.http.post(PATH, { tenant, dry_run: true, changes: [{ action: 'activate', ...names(v1), expected_revision: 7 }] });
    const bad = await api.http.post(PATH, { tenant, dry_run: 'yes', changes: [{ action: 'activate', ...names(v1) }] });

    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'ROUTE.LAST_ACTIVE_VERSION', change_index: 0 });
    expect(stale.status).toBe(412);
    expect(bad.body.details).toEqual([{ field: 'dry_run', problem: 'must be true or false' }]);
    expect((await api.http.get(resolvePath(v1))).status).toBe(200);
  });

  describe('rate limit', () => {
    let limited: TestApp;

    beforeAll(async () => {
      limited = await startApi({ RATE_LIMIT_WRITES: '5' });
    });

    afterAll(async () => {
      await limited.close();
    });

    it('should count one write per change', async () => {
      const tenant = uniqueTenant('cslimit');
      const changes = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          action: 'upsert',
          service: 'payments',
          env: 'prod',
          version: `v${from + i}`,
          url: 'https://x.example.com',
        }));

      const four = await limited.http.post(PATH, { tenant, changes: changes(0, 4) });
      const two = await limited.http.post(PATH, { tenant, changes: changes(4, 2) });

      expect(four.status).toBe(200);
      expect(four.headers.get('x-ratelimit-remaining')).toBe('1');
      expect(two.status).toBe(429);
      expect(two.body.error).toBe('REQUEST.RATE_LIMITED');
      expect((await limited.http.get(`/api/v1/routes?tenant=${tenant}`)).body.count).toBe(4);
    });
  });
});
