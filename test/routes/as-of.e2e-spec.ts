import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { createKey } from '../helpers/keys';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

const pathOf = (route: Route) => `/api/v1/routes/${route.tenant}/${route.service}/${route.env}/${route.version}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Point in time: GET /api/v1/routes/{…}?as_of=T answers the route as it was at T, from the history
// that each change writes in its own transaction (the real migrations' route_revisions).
describe('Route as of a point in time (e2e)', () => {
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

  // Revisions 1-4 (created at A, updated to B, deactivated, activated), a few milliseconds apart, and
  // their commit times as the history reports them.
  const withFourRevisions = async (prefix: string) => {
    const route = routeOf(uniqueTenant(prefix));
    for (const [path, body] of [
      ['/api/v1/routes', { ...route, url: 'https://a.example.com' }],
      ['/api/v1/routes', { ...route, url: 'https://b.example.com' }],
      ['/api/v1/routes/deactivate', route],
      ['/api/v1/routes/activate', route],
    ] as const) {
      expect((await api.http.post(path, body)).status).toBeLessThan(300);
      await pause(5);
    }
    const history = await api.http.get(`${pathOf(route)}/history`);
    const times = new Map<number, string>(history.body.revisions.map((r: any) => [r.revision, r.changed_at]));
    return { route, times };
  };
  const asOf = (route: Route, at: string) => api.http.get(`${pathOf(route)}?as_of=${encodeURIComponent(at)}`);
  const shifted = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

  it('should answer each revision at its own commit time, and the one in effect between two', async () => {
    const { route, times } = await withFourRevisions('asof');
    const created = (await api.http.get(pathOf(route))).body.created_at;

    const expected: Array<[number, string, boolean]> = [
      [1, 'https://a.example.com', true],
      [2, 'https://b.example.com', true],
      [3, 'https://b.example.com', false],
      [4, 'https://b.example.com', true],
    ];
    for (const [revision, url, active] of expected) {
      const at = await asOf(route, times.get(revision)!);
      expect(at.status).toBe(200);
      expect(at.body).toEqual({ ...route, url, is_active: active, revision, created_at: created, updated_at: times.get(revision) });
      if (revision < 4) {
        const between = await asOf(route, shifted(times.get(revision + 1)!, -1));
        expect(between.body).toMatchObject({ revision, url, is_active: active });
      }
    }
    expect((await asOf(route, '2999-01-01T00:00:00Z')).body).toMatchObject({ revision: 4, url: 'https://b.example.com', is_active: true });
  });

  it('should read a time given with an offset as the same instant', async () => {
    const { route, times } = await withFourRevisions('asofzone');
    const utc = new Date(times.get(2)!);
    const local = new Date(utc.getTime() + 2 * 3600_000).toISOString().replace('Z', '+02:00');

    expect((await asOf(route, local)).body).toMatchObject({ revision: 2, url: 'https://b.example.com' });
  });

  it('should answer 404 ROUTE.NOT_FOUND before the route was created, saying when it was', async () => {
    const { route, times } = await withFourRevisions('asofearly');
    const before = shifted(times.get(1)!, -1);

    const res = await asOf(route, before);

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      error: 'ROUTE.NOT_FOUND',
      ...route,
      created_at: times.get(1),
      message: `${route.tenant}/payments/prod/v1 did not exist at ${before}; it was created at ${times.get(1)}`,
    });
  });

  it('should answer 404 ROUTE.REVISION_NOT_FOUND for a time whose revision is no longer kept', async () => {
    const { route, times } = await withFourRevisions('asofpruned');
    // What the pruner does with ROUTE_HISTORY_LIMIT=2.
    await db.query(
      `DELETE FROM route_revisions r USING endpoints e, environments env, services s, tenants t
       WHERE r.endpoint_id = e.id AND env.id = e.environment_id AND s.id = env.service_id AND t.id = s.tenant_id
         AND t.name = $1 AND r.revision <= 2`,
      [route.tenant],
    );

    const res = await asOf(route, times.get(2)!);
    const kept = await asOf(route, times.get(3)!);

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      error: 'ROUTE.REVISION_NOT_FOUND',
      current_revision: 4,
      oldest_revision: 3,
      message: `${route.tenant}/payments/prod/v1 keeps no revision in effect at ${times.get(2)}; its oldest kept revision, 3, is from ${times.get(3)}`,
    });
    expect(kept.body).toMatchObject({ revision: 3, is_active: false });
  });

  it.each([
    ['as_of=yesterday', 'as_of'],
    ['as_of=2026-12-03T14:02:00', 'as_of'],
    ['as_of=2026-13-01T00:00:00Z', 'as_of'],
    ['as_of=', 'as_of'],
    ['as_of=2026-12-03T14:02:00Z&as_of=2026-12-03T15:02:00Z', 'as_of'],
    ['at=2026-12-03T14:02:00Z', 'at'],
  ])('should refuse ?%s with a 400 naming %s', async (query, field) => {
    const { route } = await withFourRevisions('asofbad');

    const res = await api.http.get(`${pathOf(route)}?${query}`);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION.FAILED', details: [expect.objectContaining({ field })] });
  });

  it("should tell another tenant's key nothing, and a missing route is 404 at any time", async () => {
    const { route, times } = await withFourRevisions('asofscope');
    const other = await createKey(api.http, { tenant: uniqueTenant('asofother'), role: 'reader' });

    const foreign = await other.client.get(`${pathOf(route)}?as_of=${encodeURIComponent(times.get(4)!)}`);
    const missing = await asOf({ ...route, version: 'v9' }, times.get(4)!);

    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toBe('ROUTE.NOT_FOUND');
    expect(foreign.body.message).toBe(`No route found for ${route.tenant}/payments/prod/v1`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('ROUTE.NOT_FOUND');
  });
});
