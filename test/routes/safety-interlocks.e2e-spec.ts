import { Client } from 'pg';
import { CONSUMER_GROUP_NAMES } from '../../src/contracts/consumer-group-names';
import { auditPath } from '../audit/audit-fixtures';
import { groupPrefix, startConsumer, TestConsumer } from '../helpers/consumer-app';
import { connectDb, outboxFor } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { HttpClient, resolvePath } from '../helpers/http';
import { ensureTopics, KafkaProbe, ROUTE_EVENTS_TOPIC, startGroupsAtEnd } from '../helpers/kafka';
import { createKey } from '../helpers/keys';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

const names = ({ service, env, version }: Route) => ({ service, env, version });
const messageKey = (route: Route) => `${route.tenant}:${route.service}:${route.env}:${route.version}`;
const safetyPath = (tenant: string) => `/api/v1/tenants/${tenant}/safety`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const REFUSED = { error: 'ROUTE.LAST_ACTIVE_VERSION' };

// The write-time interlock (docs/design.md, "Write-time safety interlocks"): a tenant that opts in
// cannot have a change leave one of its environments with no active version unless the change is
// forced with a reason. Enforced by a PostgreSQL trigger, so every way of deactivating is covered.
describe('Write-time safety interlocks (e2e)', () => {
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

  const create = async (route: Route, url = `https://${route.version}.${route.env}.example.com`) => {
    const res = await api.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBeLessThan(300);
  };
  const protect = async (tenant: string, on = true) => {
    const res = await api.http.put(safetyPath(tenant), { protect_last_active: on });
    expect(res.status).toBe(200);
  };
  const deactivate = (route: Route, extra: Record<string, unknown> = {}, http: HttpClient = api.http) =>
    http.post('/api/v1/routes/deactivate', { ...route, ...extra });
  const stateOf = async (tenant: string) =>
    Object.fromEntries(
      (
        await db.query(
          `SELECT env.name || '/' || e.version AS route, e.is_active, e.revision FROM endpoints e
           JOIN environments env ON env.id = e.environment_id JOIN services s ON s.id = env.service_id
           JOIN tenants t ON t.id = s.tenant_id WHERE t.name = $1`,
          [tenant],
        )
      ).rows.map((row) => [row.route, { active: row.is_active, revision: row.revision }]),
    );
  const outboxRows = async (tenant: string) =>
    (await db.query('SELECT count(*)::int AS n FROM outbox_events WHERE message_key LIKE $1', [`${tenant}:%`])).rows[0].n as number;

  it("should never refuse in a tenant that has not opted in, as the seed's clients expect", async () => {
    const route = routeOf(uniqueTenant('safe-off'));
    await create(route);

    expect((await api.http.get(safetyPath(route.tenant))).body).toMatchObject({ tenant: route.tenant, protect_last_active: false });
    const res = await deactivate(route);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_active: false, revision: 2 });
  });

  it('should let only an admin of the tenant change the setting, and show who did', async () => {
    const tenant = uniqueTenant('safe-who');
    const other = uniqueTenant('safe-other');
    const { client: admin, id: adminId } = await createKey(api.http, { tenant, role: 'admin', name: `admin-${tenant}` });
    const { client: writer } = await createKey(api.http, { tenant, role: 'writer' });
    const { client: reader } = await createKey(api.http, { tenant, role: 'reader' });
    const { client: foreignAdmin } = await createKey(api.http, { tenant: other, role: 'admin' });

    expect((await writer.put(safetyPath(tenant), { protect_last_active: true })).status).toBe(403);
    expect((await reader.put(safetyPath(tenant), { protect_last_active: true })).status).toBe(403);
    const foreign = await foreignAdmin.put(safetyPath(tenant), { protect_last_active: true });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: 'TENANT.NOT_FOUND', tenant });
    expect((await foreignAdmin.get(safetyPath(tenant))).status).toBe(404);

    // Before the tenant has any route: its row is created.
    const set = await admin.put(safetyPath(tenant), { protect_last_active: true });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      tenant,
      protect_last_active: true,
      mass_deactivation: null,
      updated_at: expect.any(String),
      updated_by: `admin-${tenant}`,
      updated_by_key_id: adminId,
    });
    // Setting it again changes nothing, not even who set it last.
    expect((await api.http.put(safetyPath(tenant), { protect_last_active: true })).body).toEqual(set.body);
    expect((await reader.get(safetyPath(tenant))).body).toEqual(set.body);

    await create(routeOf(tenant, 'v1'));
    expect((await writer.post('/api/v1/routes/deactivate', routeOf(tenant, 'v1'))).body).toMatchObject(REFUSED);
  });

  it.each([
    [{}, [{ field: 'protect_last_active', problem: 'must be true or false' }]],
    [{ protect_last_active: 'yes' }, [{ field: 'protect_last_active', problem: 'must be true or false' }]],
    [{ protect_last_active: null }, [{ field: 'protect_last_active', problem: 'must be true or false' }]],
    [{ protect_last_active: true, force: true }, [{ field: 'force', problem: 'is not an accepted field' }]],
  ])('should refuse the setting %j with a 400 naming the problem', async (body, details) => {
    const res = await api.http.put(safetyPath(uniqueTenant('safe-bad')), body);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION.FAILED', details });
  });

  it('should refuse a tenant name that is not one', async () => {
    const res = await api.http.put(safetyPath('a:b'), { protect_last_active: true });

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'tenant', problem: expect.stringMatching(/^must be 1-128 characters/) }]);
  });

  it("should refuse to deactivate an environment's last active version, write nothing, and leave other environments alone", async () => {
    const tenant = uniqueTenant('safe-last');
    const [v1, v2] = [routeOf(tenant, 'v1'), routeOf(tenant, 'v2')];
    const staging = { ...routeOf(tenant, 'v1'), env: 'staging' };
    const other = { ...routeOf(tenant, 'v1'), service: 'billing' };
    for (const route of [v1, v2, staging, other]) await create(route);
    await protect(tenant);
    const refusalsBefore = await scrape(api.http, 'write_interlock_refusals_total', { interlock: 'last_active_version' });

    expect((await deactivate(v1)).status).toBe(200);
    const before = await stateOf(tenant);
    const outboxBefore = await outboxRows(tenant);
    const refused = await deactivate(v2);

    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: 'ROUTE.LAST_ACTIVE_VERSION',
      message: expect.stringContaining(`would leave ${tenant}/payments/prod with no active version`),
      ...v2,
      correlation_id: expect.any(String),
    });
    expect(refused.body.message).toMatch(/"force": true with a "reason"/);
    expect(await stateOf(tenant)).toEqual(before);
    expect(await outboxRows(tenant)).toBe(outboxBefore);
    expect((await api.http.get(resolvePath(v2))).status).toBe(200);
    // Each environment on its own: staging and billing have one version each, and are protected too.
    expect((await deactivate(staging)).status).toBe(409);
    expect((await deactivate(other)).status).toBe(409);
    // Already inactive: a no-op, never refused.
    expect((await deactivate(v1)).status).toBe(200);
    expect(await scrape(api.http, 'write_interlock_refusals_total', { interlock: 'last_active_version' })).toBe(refusalsBefore + 3);
    // Turned off: allowed again.
    await protect(tenant, false);
    expect((await deactivate(v2)).status).toBe(200);
  });

  it('should accept a forced deactivation only with a reason, and carry the reason in its event alone', async () => {
    const tenant = uniqueTenant('safe-force');
    const route = routeOf(tenant, 'v1');
    await create(route);
    await protect(tenant);

    const noReason = await deactivate(route, { force: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details).toEqual([{ field: 'reason', problem: 'is required with "force": true (why the interlock is overridden)' }]);
    expect((await deactivate(route, { reason: 'no force' })).body.details).toEqual([
      { field: 'reason', problem: 'is accepted only with "force": true' },
    ]);
    expect((await deactivate(route, { force: 'true', reason: 'x' })).body.details).toEqual([
      { field: 'force', problem: 'must be true or false' },
      { field: 'reason', problem: 'is accepted only with "force": true' },
    ]);
    expect((await deactivate(route, { force: false })).status).toBe(409);

    const forced = await deactivate(route, { force: true, reason: 'payments prod retired, OPS-1234' });

    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ is_active: false, revision: 2 });
    const events = (await outboxFor(db, messageKey(route))).map((row) => row.payload);
    expect(events.map((e) => [e.action, e.force_reason])).toEqual([
      ['created', undefined],
      ['deactivated', 'payments prod retired, OPS-1234'],
    ]);
    expect('force_reason' in events[0]).toBe(false);
    // The setting does not outlive its statement: the next write on the same pooled connections is judged again.
    await api.http.post('/api/v1/routes/activate', route);
    for (let i = 0; i < 12; i++) expect((await deactivate(route)).status).toBe(409);
  });

  it('should treat a rollback to an inactive revision as a deactivation', async () => {
    const tenant = uniqueTenant('safe-rollback');
    const route = routeOf(tenant, 'v1');
    await create(route);
    expect((await deactivate(route)).status).toBe(200);
    expect((await api.http.post('/api/v1/routes/activate', route)).status).toBe(200);
    await protect(tenant);

    const refused = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 2 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject(REFUSED);
    const forced = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 2, force: true, reason: 'back to dark' });

    expect(forced.status).toBe(200);
    expect(forced.body).toMatchObject({ is_active: false, revision: 4 });
    expect((await outboxFor(db, messageKey(route))).at(-1)!.payload).toMatchObject({ action: 'deactivated', force_reason: 'back to dark' });
  });

  it('should judge a changeset by its outcome: a switch passes, emptying an environment does not, unless it is forced', async () => {
    const tenant = uniqueTenant('safe-cs');
    const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => routeOf(tenant, v));
    for (const route of [v1, v2, v3]) await create(route);
    expect((await deactivate(v2)).status).toBe(200);
    expect((await deactivate(v3)).status).toBe(200);
    await protect(tenant);
    const changeset = (body: Record<string, unknown>) => api.http.post('/api/v1/routes/changeset', { tenant, ...body });

    // v1 is deactivated first (changes apply in key order): only the outcome counts.
    const switched = await changeset({
      changes: [
        { action: 'activate', ...names(v2) },
        { action: 'deactivate', ...names(v1) },
      ],
    });
    expect(switched.status).toBe(200);
    expect(switched.body.changes.map((c: any) => [c.route.version, c.route.is_active])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);

    const before = await stateOf(tenant);
    const outboxBefore = await outboxRows(tenant);
    const billing = { action: 'upsert', service: 'billing', env: 'prod', version: 'v9', url: 'https://billing.example.com' };
    const refused = await changeset({ changes: [billing, { action: 'deactivate', ...names(v2) }] });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ ...REFUSED, ...v2, change_index: 1, message: expect.stringMatching(/^changes\.1: Deactivating/) });
    expect(await stateOf(tenant)).toEqual(before);
    expect(await outboxRows(tenant)).toBe(outboxBefore);

    const perChange = await changeset({ changes: [{ action: 'deactivate', ...names(v2), force: true, reason: 'x' }] });
    expect(perChange.status).toBe(400);
    expect(perChange.body.details.map((d: any) => d.field)).toEqual(['changes.0.force', 'changes.0.reason']);

    const forced = await changeset({
      force: true,
      reason: 'tenant leaves prod',
      changes: [billing, { action: 'deactivate', ...names(v2) }],
    });
    expect(forced.status).toBe(200);
    const last = async (route: Route) => (await outboxFor(db, messageKey(route))).at(-1)!.payload;
    expect(await last(v2)).toMatchObject({ action: 'deactivated', force_reason: 'tenant leaves prod' });
    expect(await last({ ...v2, service: 'billing', version: 'v9' })).toMatchObject({ action: 'created', force_reason: 'tenant leaves prod' });
  });

  it("should let only one of two concurrent deactivations of an environment's last two active versions through", async () => {
    const tenant = uniqueTenant('safe-race');
    const envs = Array.from({ length: 8 }, (_, i) => `env${i}`);
    for (const env of envs) for (const version of ['v1', 'v2']) await create({ ...routeOf(tenant, version), env });
    await protect(tenant);

    const results = await Promise.all(
      envs.map(async (env) => {
        const answers = await Promise.all(['v1', 'v2'].map((version) => deactivate({ ...routeOf(tenant, version), env })));
        return answers.map((res) => res.status).sort();
      }),
    );

    expect(results).toEqual(envs.map(() => [200, 409]));
    const state = await stateOf(tenant);
    for (const env of envs) expect([state[`${env}/v1`].active, state[`${env}/v2`].active].filter(Boolean)).toHaveLength(1);
  });

  it('should fail a scheduled changeset that would empty an environment, and apply a forced one', async () => {
    const tenant = uniqueTenant('safe-sched');
    const route = routeOf(tenant, 'v1');
    await create(route);
    await protect(tenant);
    const schedule = (body: Record<string, unknown>) =>
      api.http.post('/api/v1/schedules', { tenant, scheduled_at: inMs(1_000), changes: [{ action: 'deactivate', ...names(route) }], ...body });
    const finished = (id: string) =>
      eventually(async () => {
        const res = await api.http.get(`/api/v1/schedules/${id}`);
        expect(res.body.status).not.toBe('pending');
        return res.body;
      });

    const plain = await schedule({});
    const forced = await schedule({ scheduled_at: inMs(1_500), force: true, reason: 'retire at night' });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ force: false, reason: null });
    expect(forced.body).toMatchObject({ force: true, reason: 'retire at night' });

    expect(await finished(plain.body.id)).toMatchObject({
      status: 'failed',
      outcome: { error: 'ROUTE.LAST_ACTIVE_VERSION', change_index: 0, ...route },
    });
    expect(await finished(forced.body.id)).toMatchObject({ status: 'applied' });
    expect((await outboxFor(db, messageKey(route))).at(-1)!.payload).toMatchObject({ action: 'deactivated', force_reason: 'retire at night' });
  });

  // The mass-deactivation breaker: how much of a tenant may be switched off within a window, force or not;
  // beyond it only a scheduled changeset approved by another key (four-eyes) passes.
  describe('mass-deactivation breaker', () => {
    const LIMIT = { max_percent: 30, window_minutes: 10, min_count: 2 };
    const MASS = { error: 'ROUTE.MASS_DEACTIVATION' };
    const services = (tenant: string, n: number) => Array.from({ length: n }, (_, i) => ({ ...routeOf(tenant, 'v1'), service: `svc${i}` }));
    const setUp = async (n: number, limit: object = LIMIT) => {
      const tenant = uniqueTenant('mass');
      const routes = services(tenant, n);
      for (const route of routes)
        expect((await api.http.post('/api/v1/routes', { ...route, url: `https://${route.service}.example.com` })).status).toBe(201);
      const set = await api.http.put(safetyPath(tenant), { protect_last_active: false, mass_deactivation: limit });
      expect(set.status).toBe(200);
      return { tenant, routes };
    };
    const deactivate = (route: Route, extra: object = {}) => api.http.post('/api/v1/routes/deactivate', { ...route, ...extra });
    const active = async (tenant: string) =>
      (await api.http.get(`/api/v1/routes?tenant=${tenant}&active=true&limit=1000`)).body.routes.length as number;

    it.each([
      [{ max_percent: 0, window_minutes: 10, min_count: 2 }, 'max_percent must be a whole number from 1 to 99'],
      [{ max_percent: 100, window_minutes: 10, min_count: 2 }, 'max_percent must be a whole number from 1 to 99'],
      [{ max_percent: 30, window_minutes: 1441, min_count: 2 }, 'window_minutes must be a whole number from 1 to 1440'],
      [{ max_percent: 30, window_minutes: 10, min_count: 2.5 }, 'min_count must be a whole number from 1 to 10000'],
      [{ max_percent: 30, window_minutes: 10 }, 'needs min_count'],
      [{ ...LIMIT, constructor: 1 }, 'has a field that is not accepted: "constructor"'],
      [[30, 10, 2], 'must be an object {max_percent, window_minutes, min_count} or null'],
      ['30%', 'must be an object {max_percent, window_minutes, min_count} or null'],
    ])('should refuse the limit %j with a 400 naming the problem', async (limit, problem) => {
      const res = await api.http.put(safetyPath(uniqueTenant('mass-bad')), { protect_last_active: false, mass_deactivation: limit });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'mass_deactivation', problem }]);
    });

    it('should show the limit, and turn it off when a PUT leaves it out', async () => {
      const tenant = uniqueTenant('mass-set');
      expect((await api.http.put(safetyPath(tenant), { protect_last_active: true, mass_deactivation: LIMIT })).body).toMatchObject({
        protect_last_active: true,
        mass_deactivation: LIMIT,
      });
      expect((await api.http.get(safetyPath(tenant))).body.mass_deactivation).toEqual(LIMIT);
      expect((await api.http.put(safetyPath(tenant), { protect_last_active: true })).body.mass_deactivation).toBeNull();
    });

    it('should refuse deactivating more of the tenant than its limit within the window, forced or not, and write nothing', async () => {
      const { tenant, routes } = await setUp(6);
      const refusalsBefore = await scrape(api.http, 'write_interlock_refusals_total', { interlock: 'mass_deactivation' });

      // 1 of 6: under min_count. 2 of 6 would be 33 %, over 30 %.
      expect((await deactivate(routes[0])).status).toBe(200);
      const refused = await deactivate(routes[1]);
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({
        ...MASS,
        message: expect.stringContaining(
          `2 of tenant ${tenant}'s 6 versions would have been deactivated within 10 minutes, more than its limit of 30 %`,
        ),
        ...routes[1],
        deactivated: 2,
        active: 4,
        max_percent: 30,
        window_minutes: 10,
        min_count: 2,
        correlation_id: expect.any(String),
      });
      expect((await deactivate(routes[1], { force: true, reason: 'I know' })).body).toMatchObject(MASS);
      const changeset = await api.http.post('/api/v1/routes/changeset', {
        tenant,
        changes: [
          { action: 'upsert', ...names(routes[5]), url: 'https://svc5-b.example.com' },
          { action: 'deactivate', ...names(routes[2]) },
        ],
      });
      expect(changeset.status).toBe(409);
      expect(changeset.body).toMatchObject({ ...MASS, change_index: 1, ...routes[2] });
      expect(await active(tenant)).toBe(5);
      expect((await api.http.get(`/api/v1/routes/${tenant}/svc5/prod/v1`)).body.url).toBe('https://svc5.example.com');
      expect(await scrape(api.http, 'write_interlock_refusals_total', { interlock: 'mass_deactivation' })).toBe(refusalsBefore + 3);
      // Activating, creating and updating are never limited.
      expect((await api.http.post('/api/v1/routes/activate', routes[0])).status).toBe(200);
      expect((await deactivate(routes[0])).status).toBe(200);
    });

    it('should let a scheduled changeset approved by another key through, and fail one without approval', async () => {
      const { tenant, routes } = await setUp(6);
      const { client: author } = await createKey(api.http, { tenant, role: 'writer' });
      const { client: approver } = await createKey(api.http, { tenant, role: 'writer' });
      const changes = routes.slice(0, 3).map((route) => ({ action: 'deactivate', ...names(route) }));
      const finished = (id: string) =>
        eventually(async () => {
          const res = await api.http.get(`/api/v1/schedules/${id}`);
          expect(res.body.status).not.toBe('pending');
          return res.body;
        });

      const unapproved = await author.post('/api/v1/schedules', { tenant, scheduled_at: inMs(1_000), changes });
      const approved = await author.post('/api/v1/schedules', { tenant, scheduled_at: inMs(2_500), changes, approvals_required: 1 });
      expect((await approver.post(`/api/v1/schedules/${approved.body.id}/approve`, {})).status).toBe(200);

      expect(await finished(unapproved.body.id)).toMatchObject({ status: 'failed', outcome: { error: 'ROUTE.MASS_DEACTIVATION', deactivated: 3 } });
      expect(await finished(approved.body.id)).toMatchObject({ status: 'applied' });
      expect(await active(tenant)).toBe(3);
    });

    it('should count concurrent deactivations one after the other', async () => {
      const { tenant, routes } = await setUp(10, { max_percent: 30, window_minutes: 10, min_count: 1 });

      const statuses = (await Promise.all(routes.slice(0, 6).map((route) => deactivate(route)))).map((res) => res.status);

      // 3 of 10 is 30 %, the most the limit allows; the other three are refused whatever the order.
      expect(statuses.filter((status) => status === 200)).toHaveLength(3);
      expect(statuses.filter((status) => status === 409)).toHaveLength(3);
      expect(await active(tenant)).toBe(7);
    });
  });
});

// The reason's way on: the event on the topic, the audit document and its hash chain.
describe('Forced changes in events and the audit trail (e2e)', () => {
  let api: TestApp;
  let consumer: TestConsumer;
  let probe: KafkaProbe;

  beforeAll(async () => {
    await ensureTopics();
    probe = await KafkaProbe.start([ROUTE_EVENTS_TOPIC]);
    api = await startApi();
    const prefix = groupPrefix('forced');
    await startGroupsAtEnd(prefix, CONSUMER_GROUP_NAMES);
    consumer = await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix });
  });

  afterAll(async () => {
    await consumer.close();
    await api.close();
    await probe.stop();
  });

  it('should carry force_reason on the topic and into the audit trail, whose chain verifies', async () => {
    const tenant = uniqueTenant('safe-audit');
    const route = routeOf(tenant, 'v1');
    expect((await api.http.post('/api/v1/routes', { ...route, url: 'https://audit.example.com' })).status).toBe(201);
    expect((await api.http.put(safetyPath(tenant), { protect_last_active: true })).status).toBe(200);
    expect((await api.http.post('/api/v1/routes/deactivate', { ...route, force: true, reason: 'audited retirement' })).status).toBe(200);

    const events = await eventually(() => {
      const found = probe.forTenant(tenant).map((m) => m.json);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(events[1]).toMatchObject({ action: 'deactivated', force_reason: 'audited retirement' });
    expect(Object.keys(events[1]).at(-1)).toBe('force_reason');
    expect('force_reason' in events[0]).toBe(false);
    const audit = await eventually(async () => {
      const body = (await api.http.get(auditPath('route', route))).body;
      expect(body.count).toBe(2);
      return body;
    }, 30_000);
    expect(audit.events.map((e: any) => [e.action, e.force_reason])).toEqual([
      ['deactivated', 'audited retirement'],
      ['created', null],
    ]);
    expect((await api.http.get(`/api/v1/audit/verify?tenant=${tenant}`)).body).toMatchObject({ ok: true, documents: 2, chained: 2 });
  });
});
