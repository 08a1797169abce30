import { within } from '../helpers/deadline';
import { eventually } from '../helpers/eventually';
import { HttpResult, resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivatePostgres } from '../helpers/private-postgres';
import { startApi, TestApp } from '../helpers/test-app';

const CONNECTION_TIMEOUT_S = 3;

// A private PostgreSQL cluster stopped under a running API: writes are refused fast with 503,
// routes already cached keep resolving, and once PostgreSQL is back writes succeed again without
// restarting anything.
describe('PostgreSQL stopped (e2e)', () => {
  let pg: PrivatePostgres;
  let api: TestApp;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    api = await startApi({ ...pg.env(), DB_CONNECTION_TIMEOUT: String(CONNECTION_TIMEOUT_S), BREAKER_HALF_OPEN_AFTER_MS: '1000' });
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await pg?.destroy();
  }, 120_000);

  const databaseBreaker = () => scrape(api.http, 'circuit_breaker_state', { dependency: 'database' });
  const write = (route: ReturnType<typeof routeOf>, url: string) =>
    within(CONNECTION_TIMEOUT_S * 1000, api.http.post('/api/v1/routes', { ...route, url }), `answer to a write within DB_CONNECTION_TIMEOUT`);
  const expectUnavailable = (res: HttpResult) => {
    expect(`${res.status} ${res.body.error}`).toMatch(/^503 (DEPENDENCY\.UNAVAILABLE|RESILIENCE\.CIRCUIT_OPEN)$/);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
  };

  it('should refuse writes fast with 503, keep resolving cached routes, and accept writes again once it is back', async () => {
    const tenant = uniqueTenant('pg-fault');
    const cached = routeOf(tenant, 'cached');
    expect((await api.http.post('/api/v1/routes', { ...cached, url: 'https://cached.example.com' })).status).toBe(201);
    expect((await api.http.get(resolvePath(cached))).status).toBe(200);

    await pg.stop();
    try {
      for (let i = 0; i < 10; i++) expectUnavailable(await write(routeOf(tenant, `down-${i}`), 'https://down.example.com'));
      await eventually(async () => {
        expectUnavailable(await write(routeOf(tenant, 'down'), 'https://down.example.com'));
        expect(await databaseBreaker()).toBe(2);
      });
      expect((await api.http.get('/health/resilience')).body.circuit_breakers.database).toMatchObject({ state: 'open' });

      for (let i = 0; i < 20; i++) {
        const read = await api.http.get(resolvePath(cached));
        expect({ status: read.status, url: read.body.url }).toEqual({ status: 200, url: 'https://cached.example.com' });
      }
      // The other writes, the history and the propagation status read PostgreSQL too: the same fast 503.
      const changeset = { tenant, changes: [{ action: 'upsert', service: 'payments', env: 'prod', version: 'cs', url: 'https://down.example.com' }] };
      for (const [what, request] of [
        ['a changeset', () => api.http.post('/api/v1/routes/changeset', changeset)],
        ['a rollback', () => api.http.post('/api/v1/routes/rollback', { ...cached, to_revision: 1 })],
        ['a history read', () => api.http.get(`/api/v1/routes/${tenant}/payments/prod/cached/history`)],
        ['a propagation status', () => api.http.get(`/api/v1/routes/${tenant}/payments/prod/cached/propagation`)],
      ] as const) {
        expectUnavailable(await within(CONNECTION_TIMEOUT_S * 1000, request(), `answer to ${what} within DB_CONNECTION_TIMEOUT`));
      }
      // A route nobody cached cannot be answered either way: 503, not a 404 that would be a guess.
      expectUnavailable(await api.http.get(resolvePath(routeOf(tenant, 'never-seen'))));
      expect((await api.http.get('/health/ready')).status).toBe(503);
    } finally {
      await pg.start();
    }

    const after = routeOf(tenant, 'after');
    await eventually(
      async () => expect((await api.http.post('/api/v1/routes', { ...after, url: 'https://after.example.com' })).status).toBe(201),
      60_000,
    );
    expect((await api.http.get(resolvePath(after))).body).toMatchObject({ url: 'https://after.example.com', revision: 1 });
    expect((await api.http.post('/api/v1/routes', { ...cached, url: 'https://cached-2.example.com' })).body).toMatchObject({ revision: 2 });
    const changeset = await api.http.post('/api/v1/routes/changeset', {
      tenant,
      changes: [{ action: 'rollback', service: 'payments', env: 'prod', version: 'cached', to_revision: 1 }],
    });
    expect(changeset.body.changes).toEqual([
      { outcome: 'changed', route: expect.objectContaining({ url: 'https://cached.example.com', revision: 3 }) },
    ]);
    await eventually(async () => expect(await databaseBreaker()).toBe(0));
    await eventually(async () => expect((await api.http.get('/health/ready')).status).toBe(200));
  });

  it('should apply a changeset that came due while PostgreSQL was down once it is back, and refuse new schedules meanwhile', async () => {
    const tenant = uniqueTenant('pg-sched');
    const route = routeOf(tenant);
    const changes = [{ action: 'upsert', service: 'payments', env: 'prod', version: 'v1', url: 'https://scheduled.example.com' }];
    const scheduled = await api.http.post('/api/v1/schedules', { tenant, changes, scheduled_at: new Date(Date.now() + 1_000).toISOString() });
    expect(scheduled.status).toBe(201);

    await pg.stop();
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // due while PostgreSQL is down
      const refused = await within(
        CONNECTION_TIMEOUT_S * 1000,
        api.http.post('/api/v1/schedules', { tenant, changes, scheduled_at: new Date(Date.now() + 60_000).toISOString() }),
        'answer to a schedule within DB_CONNECTION_TIMEOUT',
      );
      expectUnavailable(refused);
    } finally {
      await pg.start();
    }

    const done = await eventually(async () => {
      const res = await api.http.get(`/api/v1/schedules/${scheduled.body.id}`);
      expect(res.body.status).toBe('applied');
      return res.body;
    }, 60_000);
    expect(Date.parse(done.finished_at) - Date.parse(done.scheduled_at)).toBeGreaterThan(1_000);
    expect((await api.http.get(resolvePath(route))).body).toMatchObject({ url: 'https://scheduled.example.com', revision: 1 });
  });
});
