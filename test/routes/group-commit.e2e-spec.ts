import { Client } from 'pg';
import { connectDb, outboxFor } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { HttpResult } from '../helpers/http';
import { metricValue } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;
const messageKey = (route: Route) => `${route.tenant}:${route.service}:${route.env}:${route.version}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Group commit (docs/design.md, "Group commit"): single changes that arrive while the write path is
// busy are committed together in one transaction, and each caller gets the answer its change would
// have had alone. The API runs with one group in flight at a time; the test holds a route's row lock
// so that the first write waits in PostgreSQL, the next ones queue behind it, and they are sent as one
// group when the lock is released. The metrics show the groups.
describe('Group commit (e2e)', () => {
  let api: TestApp;
  let db: Client;
  let locker: Client;

  beforeAll(async () => {
    api = await startApi({ DB_WRITE_GROUP_MAX: '32', DB_WRITE_GROUP_CONCURRENCY: '1' });
    db = await connectDb();
    locker = await connectDb();
  });

  afterAll(async () => {
    await locker.end();
    await db.end();
    await api.close();
  });

  const create = async (route: Route, url = `https://${route.version}.example.com`) => {
    const res = await api.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBe(201);
    return res.body as { revision: number };
  };
  const groupFigures = async () => {
    const text = (await api.http.get('/metrics')).text;
    return {
      groups: metricValue(text, 'write_commit_group_size_count'),
      changes: metricValue(text, 'write_commit_group_size_sum'),
      committed: metricValue(text, 'write_commit_groups_total', { outcome: 'committed' }),
      alone: metricValue(text, 'write_commit_groups_total', { outcome: 'alone' }),
    };
  };
  const stateOf = async (route: Route) =>
    (
      await db.query(
        `SELECT e.url, e.is_active, e.revision FROM endpoints e JOIN environments env ON env.id = e.environment_id
         JOIN services s ON s.id = env.service_id JOIN tenants t ON t.id = s.tenant_id
         WHERE t.name = $1 AND s.name = $2 AND env.name = $3 AND e.version = $4`,
        [route.tenant, route.service, route.env, route.version],
      )
    ).rows[0] as { url: string; is_active: boolean; revision: number } | undefined;

  // Runs `writes` as one group: a write to `blocker` waits on the row lock this test holds, the
  // writes queue behind it (one group in flight), and the lock is released once they are all queued.
  async function asOneGroup(blocker: Route, writes: Array<() => Promise<HttpResult>>): Promise<HttpResult[]> {
    await locker.query('BEGIN');
    await locker.query(
      `SELECT 1 FROM endpoints e JOIN environments env ON env.id = e.environment_id JOIN services s ON s.id = env.service_id
       JOIN tenants t ON t.id = s.tenant_id WHERE t.name = $1 AND e.version = $2 FOR UPDATE OF e`,
      [blocker.tenant, blocker.version],
    );
    const first = api.http.post('/api/v1/routes', { ...blocker, url: `https://blocked-${Date.now()}.example.com` });
    await eventually(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%tm_apply_route_change%'`,
      );
      expect(rows[0].n).toBeGreaterThan(0);
    });
    const pending = writes.map((write) => write());
    // Requests on loopback reach the queue within milliseconds; this leaves ample room.
    await sleep(500);
    await locker.query('COMMIT');
    expect((await first).status).toBe(200);
    return Promise.all(pending);
  }

  it('should commit changes that arrive together as one group, answering each as if it were alone', async () => {
    const tenant = uniqueTenant('group');
    const blocker = routeOf(tenant, 'blocker');
    const updated = routeOf(tenant, 'v1');
    const guarded = routeOf(tenant, 'v2');
    await create(blocker);
    await create(updated);
    await create(guarded);
    const fresh = ['n1', 'n2', 'n3', 'n4'].map((version) => routeOf(tenant, version));
    const before = await groupFigures();

    const results = await asOneGroup(blocker, [
      ...fresh.map((route) => () => api.http.post('/api/v1/routes', { ...route, url: `https://${route.version}.example.com` })),
      // Two changes of one route in one group: applied one after the other, in arrival order.
      () => api.http.post('/api/v1/routes', { ...updated, url: 'https://first.example.com' }),
      () => api.http.post('/api/v1/routes/deactivate', updated),
      // A precondition that does not hold: this change alone writes nothing, the rest commit.
      () => api.http.post('/api/v1/routes/deactivate', guarded, { 'if-match': '"7"' }),
      // Nothing to change: 404, as alone.
      () => api.http.post('/api/v1/routes/activate', routeOf(tenant, 'missing')),
    ]);

    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 200, 200, 412, 404]);
    expect(results[4].body).toMatchObject({ url: 'https://first.example.com', is_active: true, revision: 2 });
    expect(results[5].body).toMatchObject({ url: 'https://first.example.com', is_active: false, revision: 3 });
    expect(results[6].body).toMatchObject({ error: 'ROUTE.PRECONDITION_FAILED' });
    expect(results[7].body).toMatchObject({ error: 'ROUTE.NOT_FOUND' });
    for (const route of fresh) expect(await stateOf(route)).toEqual({ url: `https://${route.version}.example.com`, is_active: true, revision: 1 });
    expect(await stateOf(guarded)).toMatchObject({ is_active: true, revision: 1 });
    // One outbox row per change that was made, with its revision, in order.
    expect((await outboxFor(db, messageKey(updated))).map((row) => [row.payload.action, row.payload.revision])).toEqual([
      ['created', 1],
      ['updated', 2],
      ['deactivated', 3],
    ]);
    expect(await outboxFor(db, messageKey(guarded))).toHaveLength(1);
    for (const route of fresh) expect(await outboxFor(db, messageKey(route))).toHaveLength(1);
    // The blocked write alone, then the eight as one group.
    const after = await groupFigures();
    expect(after.groups - before.groups).toBe(2);
    expect(after.changes - before.changes).toBe(9);
    expect(after.committed - before.committed).toBe(2);
    expect(after.alone - before.alone).toBe(0);
  });

  it("should write each change on its own when PostgreSQL refuses the group, so one change's refusal is not the others'", async () => {
    const tenant = uniqueTenant('group-refused');
    const blocker = { ...routeOf(tenant, 'blocker'), env: 'staging' };
    const [v1, v2] = [routeOf(tenant, 'v1'), routeOf(tenant, 'v2')];
    for (const route of [blocker, v1, v2]) await create(route);
    // prod must keep an active version, and v1 and v2 are its two.
    expect((await api.http.put(`/api/v1/tenants/${tenant}/safety`, { protect_last_active: true })).status).toBe(200);
    const elsewhere = { ...routeOf(tenant, 'v9'), env: 'qa' };
    const before = await groupFigures();

    // Together the two deactivations would leave prod with none: the trigger refuses the group at
    // its commit, with the unrelated create in it.
    const results = await asOneGroup(blocker, [
      () => api.http.post('/api/v1/routes/deactivate', v1),
      () => api.http.post('/api/v1/routes/deactivate', v2),
      () => api.http.post('/api/v1/routes', { ...elsewhere, url: 'https://qa.example.com' }),
    ]);

    // Alone, one deactivation passes and the other is refused; the create is not refused with them.
    const statuses = results.map((r) => r.status);
    expect(statuses[2]).toBe(201);
    expect([statuses[0], statuses[1]].sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body).toMatchObject({ error: 'ROUTE.LAST_ACTIVE_VERSION' });
    const states = await Promise.all([v1, v2].map(stateOf));
    expect(states.map((s) => s!.is_active).sort()).toEqual([false, true]);
    expect(await stateOf(elsewhere)).toMatchObject({ url: 'https://qa.example.com', revision: 1 });
    // Outbox rows only for what was made: three creates, the blocked URL change, one deactivation, the qa create.
    const rows = (await db.query('SELECT count(*)::int AS n FROM outbox_events WHERE message_key LIKE $1', [`${tenant}:%`])).rows[0].n;
    expect(rows).toBe(6);
    const after = await groupFigures();
    expect(after.alone - before.alone).toBe(1);
    expect(after.groups - before.groups).toBe(2);
  });
});
