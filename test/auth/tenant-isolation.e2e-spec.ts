import { Client } from 'pg';
import { ALL_TENANTS, Role, roleAllows, ROLES } from '../../src/contracts/principal';
import { AuditRecorder } from '../../src/modules/audit/audit-recorder';
import { ago, auditPath, DAY, HOUR, routeEvent } from '../audit/audit-fixtures';
import { connectDb } from '../helpers/database';
import { HttpClient, HttpResult, resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { watchUntilReady } from '../helpers/sse';
import { startApi, TestApp } from '../helpers/test-app';

// Issue 10's acceptance: tenant B's keys (each role) aimed at tenant A's data, on every operation of
// the OpenAPI document. Nothing of A is returned or changed, and every answer is the one specified:
// 404 for a single route or key of A, 403 for a role too weak (checked first, so it leaks nothing),
// 200 with only B's data for listings, whatever their filters.

type Expected = { status: 404; error: string } | { status: 403 } | { status: 200; check?: (body: any) => void };

interface Probe {
  label: string;
  send: (http: HttpClient) => Promise<HttpResult>;
  expected: (role: Role) => Expected;
}

const FORBIDDEN = { status: 403 } as const;
const routeNotFound = { status: 404, error: 'ROUTE.NOT_FOUND' } as const;
const webhookNotFound = { status: 404, error: 'WEBHOOK.NOT_FOUND' } as const;
const tenantNotFound = { status: 404, error: 'TENANT.NOT_FOUND' } as const;
const needs = (needed: Role, role: Role, then: Expected): Expected => (roleAllows(role, needed) ? then : FORBIDDEN);

describe('Tenant isolation (e2e)', () => {
  let api: TestApp;
  let db: Client;
  const tenantA = uniqueTenant('iso-a');
  const tenantB = uniqueTenant('iso-b');
  const routeA = routeOf(tenantA, 'v2');
  // Does not exist: a create of it by B must not bring it into being.
  const ghostA = routeOf(tenantA, 'v9');
  const routeB = routeOf(tenantB);
  const urlA = `https://${tenantA}.internal.example.com`;
  const keyNameA = `${tenantA}-admin`;
  let keyA: { id: string; key: string };
  const keysB = {} as Record<Role, string>;
  const eventIdsA: string[] = [];
  let scheduleA: string;
  let webhookA: string;
  let deliveryA: string;
  let before: Awaited<ReturnType<typeof snapshotOfA>>;

  const createKey = async (name: string, tenant: string, role: Role) => {
    const res = await api.http.post('/api/v1/keys', { name, tenant, role });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, key: res.body.key as string };
  };

  // What a platform key sees of tenant A; must be identical before and after B's attempts.
  async function snapshotOfA() {
    const [route, ghost, routes, audit, keys, outbox, schedule, webhook, deliveries, safety] = await Promise.all([
      api.http.get(`/api/v1/routes/${tenantA}/payments/prod/v2`),
      api.http.get(`/api/v1/routes/${tenantA}/payments/prod/v9`),
      api.http.get(`/api/v1/routes?tenant=${tenantA}`),
      api.http.get(auditPath('recent', { tenant: tenantA, days: 365 })),
      api.http.get(`/api/v1/keys?tenant=${tenantA}`),
      db.query('SELECT count(*)::int AS n FROM outbox_events WHERE message_key LIKE $1', [`${tenantA}:%`]),
      api.http.get(`/api/v1/schedules/${scheduleA}`),
      api.http.get(`/api/v1/webhooks/${webhookA}`),
      api.http.get(`/api/v1/webhooks/${webhookA}/deliveries`),
      api.http.get(`/api/v1/tenants/${tenantA}/safety`),
    ]);
    return {
      route: [route.status, route.body],
      ghost: ghost.status,
      routes: routes.body.routes,
      audit: audit.body.events.map((e: any) => e.event_id),
      keys: keys.body.keys.map((k: any) => [k.id, k.name, k.role, k.revoked_at]),
      outboxRows: outbox.rows[0].n,
      schedule: [schedule.status, schedule.body],
      webhook: [webhook.status, webhook.body],
      deliveries: deliveries.body.deliveries,
      safety: [safety.status, safety.body],
    };
  }

  beforeAll(async () => {
    api = await startApi();
    db = await connectDb();
    expect((await api.http.post('/api/v1/routes', { ...routeA, url: `${urlA}/old` })).status).toBe(201);
    expect((await api.http.post('/api/v1/routes', { ...routeA, url: urlA })).status).toBe(200);
    expect((await api.http.post('/api/v1/routes', { ...routeB, url: 'https://b.example.com' })).status).toBe(201);
    keyA = await createKey(keyNameA, tenantA, 'admin');
    expect((await api.http.as(keyA.key).put(`/api/v1/tenants/${tenantA}/safety`, { protect_last_active: true })).status).toBe(200);
    const scheduled = await api.http.post('/api/v1/schedules', {
      tenant: tenantA,
      scheduled_at: new Date(Date.now() + DAY).toISOString(),
      changes: [{ action: 'deactivate', service: 'payments', env: 'prod', version: 'v2' }],
    });
    expect(scheduled.status).toBe(201);
    scheduleA = scheduled.body.id;
    const hook = await api.http.post('/api/v1/webhooks', { tenant: tenantA, url: `https://hooks.example.com/${tenantA}` });
    expect(hook.status).toBe(201);
    webhookA = hook.body.id;
    // A queued test delivery (this file runs no consumer, so it stays pending).
    const ping = await api.http.post(`/api/v1/webhooks/${webhookA}/ping`, {});
    expect(ping.status).toBe(202);
    deliveryA = ping.body.id;
    for (const role of ROLES) keysB[role] = (await createKey(`${tenantB}-${role}`, tenantB, role)).key;
    // The audit trail as the audit_log consumer writes it (this file runs no consumer).
    const recorder = api.app.get(AuditRecorder);
    for (const [action, age] of [
      ['created', 3 * HOUR],
      ['updated', 2 * HOUR],
    ] as const) {
      const event = routeEvent(routeA, { action, url: urlA, occurred_at: ago(age), changed_by: keyNameA, changed_by_key_id: keyA.id });
      expect(await recorder.record(ALL_TENANTS, event)).toBe('inserted');
      eventIdsA.push(event.event_id);
    }
    expect(await recorder.record(ALL_TENANTS, routeEvent(routeB, { occurred_at: ago(HOUR) }))).toBe('inserted');
    before = await snapshotOfA();
    expect(before.audit).toHaveLength(2);
    expect(before.keys).toHaveLength(1);
  });

  afterAll(async () => {
    await api.http.post(`/api/v1/schedules/${scheduleA}/cancel`, {});
    await api.http.delete(`/api/v1/webhooks/${webhookA}`);
    await db.end();
    await api.close();
  });

  const onlyTenantB = (items: Array<{ tenant?: string; route?: { tenant: string } }>) => {
    for (const item of items) expect(item.route?.tenant ?? item.tenant).toBe(tenantB);
  };
  const routesOfB = { status: 200, check: (body: any) => onlyTenantB(body.routes) } as const;
  const noRoutes = { status: 200, check: (body: any) => expect(body).toMatchObject({ routes: [], count: 0 }) } as const;
  const eventsOfB = { status: 200, check: (body: any) => onlyTenantB(body.events) } as const;
  const noEvents = { status: 200, check: (body: any) => expect(body).toMatchObject({ events: [], count: 0 }) } as const;
  const read = (expected: Expected) => (role: Role) => needs('reader', role, expected);
  const write = (expected: Expected) => (role: Role) => needs('writer', role, expected);
  const admin = (expected: Expected) => (role: Role) => needs('admin', role, expected);
  const get = (path: string) => (http: HttpClient) => http.get(path);
  const post = (path: string, body: unknown) => (http: HttpClient) => http.post(path, body);
  const window = { start_time: ago(30 * DAY), end_time: ago(-HOUR) };

  // Every operation of the OpenAPI document, as "METHOD path", with what B's keys get from it.
  const OPERATIONS: Record<string, () => Probe[]> = {
    'GET /api/v1/routes/resolve': () => [{ label: "A's route", send: get(resolvePath(routeA)), expected: read(routeNotFound) }],
    'GET /api/v1/routes/{tenant}/{service}/{env}/{version}': () => [
      { label: "A's route", send: get(`/api/v1/routes/${tenantA}/payments/prod/v2`), expected: read(routeNotFound) },
      {
        label: "A's route as of now",
        send: get(`/api/v1/routes/${tenantA}/payments/prod/v2?as_of=2999-01-01T00:00:00Z`),
        expected: read(routeNotFound),
      },
    ],
    'GET /api/v1/routes/{tenant}/{service}/{env}/{version}/history': () => [
      { label: "A's route", send: get(`/api/v1/routes/${tenantA}/payments/prod/v2/history`), expected: read(routeNotFound) },
    ],
    'GET /api/v1/routes/{tenant}/{service}/{env}/{version}/propagation': () => [
      { label: "A's route", send: get(`/api/v1/routes/${tenantA}/payments/prod/v2/propagation`), expected: read(routeNotFound) },
      {
        label: "A's route, revision 1",
        send: get(`/api/v1/routes/${tenantA}/payments/prod/v2/propagation?revision=1`),
        expected: read(routeNotFound),
      },
    ],
    // Last-Event-ID: 0 replays every route the stream may see before `ready`.
    'GET /api/v1/routes/watch': () => [
      {
        label: 'tenant=A, everything since 0',
        send: (http) => watchUntilReady(http, `/api/v1/routes/watch?tenant=${tenantA}`, { 'Last-Event-ID': '0' }),
        expected: read({ status: 200, check: (events: any[]) => expect(events.filter((e) => e.event === 'route')).toEqual([]) }),
      },
      {
        label: 'no filter, everything since 0',
        send: (http) => watchUntilReady(http, '/api/v1/routes/watch', { 'Last-Event-ID': '0' }),
        expected: read({
          status: 200,
          check: (events: any[]) => {
            const routes = events.filter((e) => e.event === 'route').map((e) => e.data);
            expect(routes.length).toBeGreaterThan(0);
            onlyTenantB(routes);
          },
        }),
      },
    ],
    'GET /api/v1/routes': () => [
      { label: 'tenant=A', send: get(`/api/v1/routes?tenant=${tenantA}`), expected: read(noRoutes) },
      { label: "A's other filters", send: get(`/api/v1/routes?tenant=${tenantA}&service=payments&env=prod&active=true`), expected: read(noRoutes) },
      { label: 'no filter', send: get('/api/v1/routes?limit=1000'), expected: read(routesOfB) },
      { label: 'service filter only', send: get('/api/v1/routes?service=payments&env=prod'), expected: read(routesOfB) },
    ],
    'POST /api/v1/routes': () => [
      { label: "update A's route", send: post('/api/v1/routes', { ...routeA, url: 'https://hijack.example.com' }), expected: write(routeNotFound) },
      {
        label: 'create a route in A',
        send: post('/api/v1/routes', { ...ghostA, url: 'https://hijack.example.com' }),
        expected: write(routeNotFound),
      },
    ],
    'POST /api/v1/routes/activate': () => [{ label: "A's route", send: post('/api/v1/routes/activate', routeA), expected: write(routeNotFound) }],
    'POST /api/v1/routes/deactivate': () => [{ label: "A's route", send: post('/api/v1/routes/deactivate', routeA), expected: write(routeNotFound) }],
    'POST /api/v1/routes/changeset': () => [
      {
        label: "A's route",
        send: post('/api/v1/routes/changeset', {
          tenant: tenantA,
          changes: [{ action: 'deactivate', service: 'payments', env: 'prod', version: 'v2' }],
        }),
        expected: write(routeNotFound),
      },
      {
        label: 'a new route in A',
        send: post('/api/v1/routes/changeset', {
          tenant: tenantA,
          changes: [{ action: 'upsert', service: 'payments', env: 'prod', version: 'v9', url: 'https://hijack.example.com' }],
        }),
        expected: write(routeNotFound),
      },
    ],
    'POST /api/v1/routes/rollback': () => [
      {
        label: "A's route, to its first revision",
        send: post('/api/v1/routes/rollback', { ...routeA, to_revision: 1 }),
        expected: write(routeNotFound),
      },
    ],
    'POST /api/v1/schedules': () => [
      {
        label: "A's route, tomorrow",
        send: post('/api/v1/schedules', {
          tenant: tenantA,
          scheduled_at: new Date(Date.now() + DAY).toISOString(),
          changes: [{ action: 'upsert', service: 'payments', env: 'prod', version: 'v2', url: 'https://hijack.example.com' }],
        }),
        expected: write(routeNotFound),
      },
    ],
    'GET /api/v1/schedules': () => [
      {
        label: 'tenant=A',
        send: get(`/api/v1/schedules?tenant=${tenantA}`),
        expected: read({ status: 200, check: (body) => expect(body).toMatchObject({ schedules: [], count: 0 }) }),
      },
      {
        label: 'no filter',
        send: get('/api/v1/schedules?limit=1000'),
        expected: read({ status: 200, check: (body) => onlyTenantB(body.schedules) }),
      },
    ],
    'GET /api/v1/schedules/{id}': () => [
      { label: "A's schedule", send: get(`/api/v1/schedules/${scheduleA}`), expected: read({ status: 404, error: 'SCHEDULE.NOT_FOUND' }) },
    ],
    'POST /api/v1/schedules/{id}/approve': () => [
      {
        label: "A's schedule",
        send: post(`/api/v1/schedules/${scheduleA}/approve`, {}),
        expected: write({ status: 404, error: 'SCHEDULE.NOT_FOUND' }),
      },
    ],
    'POST /api/v1/schedules/{id}/cancel': () => [
      {
        label: "A's schedule",
        send: post(`/api/v1/schedules/${scheduleA}/cancel`, {}),
        expected: write({ status: 404, error: 'SCHEDULE.NOT_FOUND' }),
      },
    ],
    'GET /api/v1/audit/route': () => [
      { label: "A's route", send: get(auditPath('route', routeA)), expected: read(noEvents) },
      { label: "A's route last month", send: get(auditPath('route', { ...routeA, ...window })), expected: read(noEvents) },
      { label: "A's route by A's key", send: get(auditPath('route', { ...routeA, changed_by: keyNameA })), expected: read(noEvents) },
    ],
    'GET /api/v1/audit/verify': () => [
      {
        label: "A's trail",
        send: get(`/api/v1/audit/verify?tenant=${tenantA}`),
        expected: read({ status: 200, check: (body) => expect(body).toMatchObject({ documents: 0, routes: 0 }) }),
      },
    ],
    'GET /api/v1/audit/recent': () => [
      { label: 'tenant=A', send: get(auditPath('recent', { tenant: tenantA, days: 365 })), expected: read(noEvents) },
      { label: "A's key", send: get(auditPath('recent', { changed_by_key_id: keyA.id, days: 365 })), expected: read(noEvents) },
      { label: 'no filter', send: get(auditPath('recent', { days: 365, limit: 1000 })), expected: read(eventsOfB) },
    ],
    'GET /api/v1/audit/action': () => [
      { label: 'tenant=A', send: get(auditPath('action', { action: 'updated', tenant: tenantA })), expected: read(noEvents) },
      { label: "A's key", send: get(auditPath('action', { action: 'created', changed_by: keyNameA })), expected: read(noEvents) },
      { label: 'no filter', send: get(auditPath('action', { action: 'created', hours: 24, limit: 1000 })), expected: read(eventsOfB) },
    ],
    'GET /api/v1/audit/time-range': () => [
      { label: 'tenant=A', send: get(auditPath('time-range', { ...window, tenant: tenantA })), expected: read(noEvents) },
      { label: 'no filter', send: get(auditPath('time-range', { ...window, limit: 1000 })), expected: read(eventsOfB) },
    ],
    'POST /api/v1/keys': () => [
      // Not a 404: no key of A is addressed; asking for another scope is refused as such.
      {
        label: 'a key of A',
        send: post('/api/v1/keys', { name: `${tenantB}-intruder`, tenant: tenantA, role: 'admin' }),
        expected: admin(FORBIDDEN),
      },
      { label: 'a platform key', send: post('/api/v1/keys', { name: `${tenantB}-root`, tenant: '*', role: 'admin' }), expected: admin(FORBIDDEN) },
    ],
    'GET /api/v1/keys': () => [
      {
        label: 'tenant=A',
        send: get(`/api/v1/keys?tenant=${tenantA}`),
        expected: admin({ status: 200, check: (body) => expect(body.keys).toEqual([]) }),
      },
      { label: 'no filter', send: get('/api/v1/keys?limit=1000'), expected: admin({ status: 200, check: (body) => onlyTenantB(body.keys) }) },
    ],
    'GET /api/v1/keys/{id}': () => [
      { label: "A's key", send: get(`/api/v1/keys/${keyA.id}`), expected: admin({ status: 404, error: 'KEY.NOT_FOUND' }) },
    ],
    'DELETE /api/v1/keys/{id}': () => [
      { label: "A's key", send: (http) => http.delete(`/api/v1/keys/${keyA.id}`), expected: admin({ status: 404, error: 'KEY.NOT_FOUND' }) },
    ],
    'POST /api/v1/webhooks': () => [
      {
        label: 'a webhook of A',
        send: post('/api/v1/webhooks', { tenant: tenantA, url: 'https://hijack.example.com/hook' }),
        expected: admin(FORBIDDEN),
      },
    ],
    'GET /api/v1/webhooks': () => [
      {
        label: 'tenant=A',
        send: get(`/api/v1/webhooks?tenant=${tenantA}`),
        expected: admin({ status: 200, check: (body) => expect(body).toMatchObject({ webhooks: [], count: 0 }) }),
      },
      { label: 'no filter', send: get('/api/v1/webhooks?limit=1000'), expected: admin({ status: 200, check: (body) => onlyTenantB(body.webhooks) }) },
    ],
    'GET /api/v1/webhooks/{id}': () => [{ label: "A's webhook", send: get(`/api/v1/webhooks/${webhookA}`), expected: admin(webhookNotFound) }],
    'PATCH /api/v1/webhooks/{id}': () => [
      { label: "A's webhook", send: (http) => http.patch(`/api/v1/webhooks/${webhookA}`, { enabled: false }), expected: admin(webhookNotFound) },
    ],
    'DELETE /api/v1/webhooks/{id}': () => [
      { label: "A's webhook", send: (http) => http.delete(`/api/v1/webhooks/${webhookA}`), expected: admin(webhookNotFound) },
    ],
    'POST /api/v1/webhooks/{id}/rotate-secret': () => [
      { label: "A's webhook", send: post(`/api/v1/webhooks/${webhookA}/rotate-secret`, {}), expected: admin(webhookNotFound) },
    ],
    'POST /api/v1/webhooks/{id}/ping': () => [
      { label: "A's webhook", send: post(`/api/v1/webhooks/${webhookA}/ping`, {}), expected: admin(webhookNotFound) },
    ],
    'GET /api/v1/webhooks/{id}/deliveries': () => [
      { label: "A's webhook", send: get(`/api/v1/webhooks/${webhookA}/deliveries`), expected: admin(webhookNotFound) },
    ],
    'GET /api/v1/webhooks/{id}/deliveries/{deliveryId}': () => [
      { label: "A's delivery", send: get(`/api/v1/webhooks/${webhookA}/deliveries/${deliveryA}`), expected: admin(webhookNotFound) },
    ],
    'POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/retry': () => [
      { label: "A's delivery", send: post(`/api/v1/webhooks/${webhookA}/deliveries/${deliveryA}/retry`, {}), expected: admin(webhookNotFound) },
    ],
    'GET /api/v1/tenants/{tenant}/safety': () => [
      { label: "A's settings", send: get(`/api/v1/tenants/${tenantA}/safety`), expected: read(tenantNotFound) },
    ],
    'PUT /api/v1/tenants/{tenant}/safety': () => [
      {
        label: "turn off A's interlock",
        send: (http) => http.put(`/api/v1/tenants/${tenantA}/safety`, { protect_last_active: false }),
        expected: admin(tenantNotFound),
      },
    ],
    // Not tenant data: probes are open, /metrics needs a platform key (any role) outside development.
    'GET /metrics': () => [{ label: 'metrics', send: get('/metrics'), expected: () => FORBIDDEN }],
    'GET /health': () => [{ label: 'health', send: get('/health'), expected: () => ({ status: 200 }) }],
    'GET /health/live': () => [{ label: 'live', send: get('/health/live'), expected: () => ({ status: 200 }) }],
    'GET /health/ready': () => [{ label: 'ready', send: get('/health/ready'), expected: () => ({ status: 200 }) }],
    'GET /health/resilience': () => [{ label: 'resilience', send: get('/health/resilience'), expected: () => ({ status: 200 }) }],
  };

  it('should cover every operation of the OpenAPI document', async () => {
    const doc = await api.http.get('/docs/openapi.json');
    expect(doc.status).toBe(200);
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(operations.sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  // Answers may echo the request (a 404 names the route or key asked for, /audit/route its route), so
  // tenant A's name may appear; nothing that only A's data holds may.
  const secretsOfA = (answer: HttpResult) => [urlA, keyNameA, ...eventIdsA, ...(answer.status < 300 ? [keyA.id] : [])];

  describe.each(ROLES)("with tenant B's %s key", (role) => {
    it.each(Object.keys(OPERATIONS))('should give nothing of tenant A through %s', async (operation) => {
      const http = api.http.as(keysB[role]);
      for (const probe of OPERATIONS[operation]()) {
        const answer = await probe.send(http);
        const expected = probe.expected(role);
        const context = `${operation} (${probe.label}): ${answer.text.slice(0, 300)}`;

        expect([context, answer.status]).toEqual([context, expected.status]);
        if (expected.status === 200) expected.check?.(answer.body);
        else {
          expect(answer.body).toMatchObject({
            error: expected.status === 403 ? 'AUTH.FORBIDDEN' : expected.error,
            message: expect.any(String),
            correlation_id: answer.headers.get('x-correlation-id'),
          });
        }
        for (const secret of secretsOfA(answer)) expect([context, answer.text.includes(secret)]).toEqual([context, false]);
      }
    });
  });

  it("should leave tenant A's routes, audit trail, outbox and keys exactly as they were", async () => {
    const after = await snapshotOfA();

    expect(after).toEqual(before);
    expect(after.route).toEqual([200, expect.objectContaining({ url: urlA, revision: 2, is_active: true })]);
    expect(after.safety).toEqual([200, expect.objectContaining({ protect_last_active: true, updated_by: keyNameA })]);
    expect(after.ghost).toBe(404);
    expect((await api.http.as(keyA.key).get(`/api/v1/keys/${keyA.id}`)).status).toBe(200);
  });

  it("should show an A-scoped key tenant A's data, and only A's", async () => {
    const a = api.http.as(keyA.key);

    const resolved = await a.get(resolvePath(routeA));
    const one = await a.get(`/api/v1/routes/${tenantA}/payments/prod/v2`);
    const all = await a.get('/api/v1/routes?limit=1000');
    const recent = await a.get(auditPath('recent', { days: 365, limit: 1000 }));
    const byKey = await a.get(auditPath('route', { ...routeA, changed_by_key_id: keyA.id }));
    const keys = await a.get('/api/v1/keys');
    const foreign = await a.get(`/api/v1/routes/${tenantB}/payments/prod/v1`);

    expect(resolved.body).toMatchObject({ url: urlA, revision: 2 });
    expect(one.body).toMatchObject({ ...routeA, url: urlA, revision: 2 });
    expect(all.body.routes.map((r: any) => [r.tenant, r.version])).toEqual([[tenantA, 'v2']]);
    expect(recent.body.events.map((e: any) => e.event_id)).toEqual([...eventIdsA].reverse());
    expect(byKey.body.events.map((e: any) => [e.changed_by, e.changed_by_key_id])).toEqual([
      [keyNameA, keyA.id],
      [keyNameA, keyA.id],
    ]);
    expect(keys.body.keys.map((k: any) => k.id)).toEqual([keyA.id]);
    expect(foreign.status).toBe(404);
  });

  it('should let an A-scoped key change A and see its change', async () => {
    const a = api.http.as(keyA.key);

    // A protects its last active versions (beforeAll), so its only route is deactivated with force.
    expect((await a.post('/api/v1/routes/deactivate', routeA)).body.error).toBe('ROUTE.LAST_ACTIVE_VERSION');
    const off = await a.post('/api/v1/routes/deactivate', { ...routeA, force: true, reason: 'maintenance window' });
    const on = await a.post('/api/v1/routes/activate', routeA);

    expect([off.status, off.body.revision, on.status, on.body.revision]).toEqual([200, 3, 200, 4]);
    const { rows } = await db.query(
      "SELECT payload->>'changed_by' AS name, payload->>'changed_by_key_id' AS key_id FROM outbox_events WHERE message_key = $1 ORDER BY outbox_events.id",
      [`${tenantA}:payments:prod:v2`],
    );
    expect(rows.slice(-2)).toEqual([
      { name: keyNameA, key_id: keyA.id },
      { name: keyNameA, key_id: keyA.id },
    ]);
  });
});
