import { BOOTSTRAP_PRINCIPAL } from '../../src/modules/auth';
import { Client } from 'pg';
import { connectDb, outboxFor } from '../helpers/database';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

describe('Routes write path (e2e)', () => {
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

  const keyOf = (r: { tenant: string; service: string; env: string; version: string }) => `${r.tenant}:${r.service}:${r.env}:${r.version}`;

  it('should create a new route with 201 and write one "created" event in the outbox', async () => {
    const route = routeOf(uniqueTenant());
    const res = await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' }, { 'X-Correlation-ID': 'create-1' });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...route, url: 'https://a.example.com', is_active: true, revision: 1 });
    expect(res.headers.get('x-correlation-id')).toBe('create-1');
    const events = await outboxFor(db, keyOf(route));
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({
      event_type: 'route_changed',
      action: 'created',
      ...route,
      url: 'https://a.example.com',
      previous_url: null,
      previous_state: null,
      revision: 1,
      // The helper's default key: the configured bootstrap platform admin.
      changed_by: BOOTSTRAP_PRINCIPAL.keyName,
      changed_by_key_id: BOOTSTRAP_PRINCIPAL.keyId,
      correlation_id: 'create-1',
    });
    expect(events[0].payload.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(events[0].payload.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(events[0].headers).toEqual({ 'x-correlation-id': 'create-1', 'event-type': 'route_changed' });
  });

  it('should answer 200 with no new event when the same route is created again', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });
    const again = await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ revision: 1, is_active: true });
    expect(await outboxFor(db, keyOf(route))).toHaveLength(1);
  });

  it('should record "updated" with the previous url when the url changes', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://old.example.com' });
    const res = await api.http.post('/api/v1/routes', { ...route, url: 'https://new.example.com' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: 'https://new.example.com', revision: 2, is_active: true });
    const [, updated] = await outboxFor(db, keyOf(route));
    expect(updated.payload).toMatchObject({
      action: 'updated',
      url: 'https://new.example.com',
      previous_url: 'https://old.example.com',
      previous_state: 'active',
      revision: 2,
    });
  });

  it('should record "activated" when an inactive route is created again with the same url', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });
    await api.http.post('/api/v1/routes/deactivate', route);
    const res = await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_active: true, revision: 3 });
    const actions = (await outboxFor(db, keyOf(route))).map((e) => [e.payload.action, e.payload.previous_state]);
    expect(actions).toEqual([
      ['created', null],
      ['deactivated', 'active'],
      ['activated', 'inactive'],
    ]);
  });

  it('should record "updated" from the inactive state and make the route active when an inactive route gets a new url', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://old.example.com' });
    await api.http.post('/api/v1/routes/deactivate', route);
    const res = await api.http.post('/api/v1/routes', { ...route, url: 'https://new.example.com' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: 'https://new.example.com', is_active: true, revision: 3 });
    const [, , updated] = await outboxFor(db, keyOf(route));
    expect(updated.payload).toMatchObject({
      action: 'updated',
      url: 'https://new.example.com',
      previous_url: 'https://old.example.com',
      previous_state: 'inactive',
      revision: 3,
    });
  });

  it('should deactivate and activate with one event each, and no event when already in that state', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });

    const off = await api.http.post('/api/v1/routes/deactivate', route);
    const offAgain = await api.http.post('/api/v1/routes/deactivate', route);
    const on = await api.http.post('/api/v1/routes/activate', route);
    const onAgain = await api.http.post('/api/v1/routes/activate', route);

    expect([off.status, offAgain.status, on.status, onAgain.status]).toEqual([200, 200, 200, 200]);
    expect(off.body).toMatchObject({ is_active: false, revision: 2, url: 'https://a.example.com' });
    expect(offAgain.body).toMatchObject({ is_active: false, revision: 2 });
    expect(on.body).toMatchObject({ is_active: true, revision: 3 });
    expect(onAgain.body).toMatchObject({ is_active: true, revision: 3 });
    const actions = (await outboxFor(db, keyOf(route))).map((e) => e.payload.action);
    expect(actions).toEqual(['created', 'deactivated', 'activated']);
  });

  it.each(['activate', 'deactivate'])('should answer 404 ROUTE.NOT_FOUND to %s of an unknown route', async (op) => {
    const route = routeOf(uniqueTenant());
    const res = await api.http.post(`/api/v1/routes/${op}`, route, { 'X-Correlation-ID': 'nf-1' });

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      ...route,
      error: 'ROUTE.NOT_FOUND',
      message: `No route found for ${route.tenant}/payments/prod/v1`,
      correlation_id: 'nf-1',
    });
  });

  it('should create exactly one route, one row and one event from 50 parallel identical creates', async () => {
    const route = routeOf(uniqueTenant('race'));
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => api.http.post('/api/v1/routes', { ...route, url: 'https://race.example.com' })),
    );
    const statuses = responses.map((r) => r.status);

    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const rows = await db.query(
      `SELECT count(*)::int AS n FROM endpoints e JOIN environments env ON env.id = e.environment_id
       JOIN services s ON s.id = env.service_id JOIN tenants t ON t.id = s.tenant_id WHERE t.name = $1`,
      [route.tenant],
    );
    expect(rows.rows[0].n).toBe(1);
    expect(await outboxFor(db, keyOf(route))).toHaveLength(1);
  });

  it('should create every version once when parallel creates share a new tenant, service and environment', async () => {
    const tenant = uniqueTenant('parents');
    const versions = Array.from({ length: 20 }, (_, i) => `v${i + 1}`);
    const responses = await Promise.all(
      versions.map((version) => api.http.post('/api/v1/routes', { ...routeOf(tenant, version), url: `https://${version}.example.com` })),
    );

    expect(responses.map((r) => r.status)).toEqual(versions.map(() => 201));
    const { rows } = await db.query(
      `SELECT count(DISTINCT t.id)::int AS tenants, count(DISTINCT s.id)::int AS services,
              count(DISTINCT env.id)::int AS environments, count(e.id)::int AS endpoints
       FROM tenants t JOIN services s ON s.tenant_id = t.id JOIN environments env ON env.service_id = s.id
       JOIN endpoints e ON e.environment_id = env.id WHERE t.name = $1`,
      [tenant],
    );
    expect(rows[0]).toEqual({ tenants: 1, services: 1, environments: 1, endpoints: 20 });
    const events = await Promise.all(versions.map((version) => outboxFor(db, keyOf(routeOf(tenant, version)))));
    expect(events.map((e) => e.map((row) => row.payload.action))).toEqual(versions.map(() => ['created']));
  });

  it('should serialize parallel activate/deactivate so revisions increase strictly in commit order', async () => {
    const route = routeOf(uniqueTenant('flip'));
    await api.http.post('/api/v1/routes', { ...route, url: 'https://flip.example.com' });
    const ops = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'deactivate' : 'activate'));
    const responses = await Promise.all(ops.map((op) => api.http.post(`/api/v1/routes/${op}`, route)));

    expect(responses.every((r) => r.status === 200)).toBe(true);
    const events = (await outboxFor(db, keyOf(route))).map((e) => e.payload);
    const revisions = events.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    // Each event flips the state, so consecutive events alternate and previous_state is always right.
    for (let i = 1; i < events.length; i++) {
      expect(events[i].previous_state).toBe(events[i - 1].action === 'deactivated' ? 'inactive' : 'active');
    }
    const current = await api.http.get(`/api/v1/routes/${route.tenant}/payments/prod/v1`);
    expect(current.body.revision).toBe(revisions[revisions.length - 1]);
  });

  it('should show one route with revision and timestamps, and 404 for an unknown one', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });

    const found = await api.http.get(`/api/v1/routes/${route.tenant}/payments/prod/v1`);
    const missing = await api.http.get(`/api/v1/routes/${route.tenant}/payments/prod/v9`);

    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      ...route,
      url: 'https://a.example.com',
      is_active: true,
      revision: 1,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('ROUTE.NOT_FOUND');
  });

  it('should list routes with filters and walk every page with next_cursor', async () => {
    const tenant = uniqueTenant('list');
    for (const version of ['v1', 'v2', 'v3', 'v4', 'v5']) {
      await api.http.post('/api/v1/routes', { ...routeOf(tenant, version), url: `https://${version}.example.com` });
    }
    await api.http.post('/api/v1/routes/deactivate', routeOf(tenant, 'v5'));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.http.get(`/api/v1/routes?tenant=${tenant}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.routes.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.routes.map((r: any) => r.version));
      cursor = page.body.next_cursor;
    } while (cursor);
    const inactive = await api.http.get(`/api/v1/routes?tenant=${tenant}&active=false`);

    expect(seen).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
    expect(inactive.body).toMatchObject({ count: 1, next_cursor: null });
    expect(inactive.body.routes[0]).toMatchObject({ version: 'v5', is_active: false });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=abc', 'limit'],
    ['active=yes', 'active'],
    ['cursor=bm9wZQ', 'cursor'],
    ['tenant=a:b', 'tenant'],
    ['sort=name', 'sort'],
  ])('should reject list query %s with 400 naming %s', async (query, field) => {
    const res = await api.http.get(`/api/v1/routes?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('VALIDATION.FAILED');
    expect(res.body.details.map((d: any) => d.field)).toContain(field);
  });
});
