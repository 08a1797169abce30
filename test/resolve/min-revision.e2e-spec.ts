import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// Read-your-writes: X-Min-Revision makes resolve answer with that revision or a later one.
describe('Resolve with X-Min-Revision (e2e)', () => {
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

  const create = async (url: string) => {
    const route = routeOf(uniqueTenant('minrev'));
    expect((await api.http.post('/api/v1/routes', { ...route, url })).status).toBe(201);
    return route;
  };

  // A change the caches cannot know about (no event, no invalidation), as an instance sees a change
  // that has not reached it yet.
  const changeBehindTheCaches = async (route: ReturnType<typeof routeOf>, url: string) => {
    const { rowCount } = await db.query(
      `UPDATE endpoints e SET url = $5, revision = e.revision + 1
         FROM environments env, services s, tenants t
        WHERE env.id = e.environment_id AND s.id = env.service_id AND t.id = s.tenant_id
          AND t.name = $1 AND s.name = $2 AND env.name = $3 AND e.version = $4`,
      [route.tenant, route.service, route.env, route.version, url],
    );
    expect(rowCount).toBe(1);
  };

  it('should answer a revision the caches do not hold yet from PostgreSQL, and keep serving it', async () => {
    const route = await create('https://a.example.com');
    expect((await api.http.get(resolvePath(route))).body.revision).toBe(1);
    await changeBehindTheCaches(route, 'https://b.example.com');

    const cached = await api.http.get(resolvePath(route));
    const asked = await api.http.get(resolvePath(route), { 'x-min-revision': '2' });
    const after = await api.http.get(resolvePath(route));

    expect(cached.body).toEqual({ ...route, url: 'https://a.example.com', revision: 1 });
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({ ...route, url: 'https://b.example.com', revision: 2 });
    expect(asked.headers.get('etag')).toBe('W/"2"');
    expect(after.body).toEqual({ ...route, url: 'https://b.example.com', revision: 2 });
  });

  it('should answer from the caches when they hold the revision asked for or a later one', async () => {
    const route = await create('https://a.example.com');
    await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });

    for (const revision of ['0', '1', '2']) {
      const res = await api.http.get(resolvePath(route), { 'x-min-revision': revision });
      expect(res.status).toBe(200);
      expect(res.body.url).toBe('https://b.example.com');
    }
  });

  it('should answer 404 when the route was deactivated at that revision', async () => {
    const route = await create('https://a.example.com');
    const deactivated = await api.http.post('/api/v1/routes/deactivate', route);

    const res = await api.http.get(resolvePath(route), { 'x-min-revision': String(deactivated.body.revision) });

    expect(res.status).toBe(404);
    expect(res.body.error).toBe('ROUTE.NOT_FOUND');
  });

  it('should answer 409 naming the current revision for a revision that was never committed', async () => {
    const route = await create('https://a.example.com');
    const never = routeOf(uniqueTenant('minrev-none'));

    const ahead = await api.http.get(resolvePath(route), { 'x-min-revision': '9' });
    const missing = await api.http.get(resolvePath(never), { 'x-min-revision': '1' });

    expect(ahead.status).toBe(409);
    expect(ahead.body).toEqual({
      ...route,
      error: 'ROUTE.REVISION_CONFLICT',
      message: `${route.tenant}/payments/prod/v1 is at revision 1; revision 9 has not been committed`,
      correlation_id: ahead.headers.get('x-correlation-id'),
    });
    expect(missing.status).toBe(409);
    expect(missing.body.message).toContain('is at revision 0; revision 1 has not been committed');
  });

  it.each([['-1'], ['1.5'], ['two'], ['1, 2'], ['2147483648']])(
    'should refuse X-Min-Revision %j with a JSON 400 naming the header',
    async (header) => {
      const route = await create('https://a.example.com');

      const res = await api.http.get(resolvePath(route), { 'x-min-revision': header });

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ field: 'X-Min-Revision', problem: 'must be a whole number from 0 to 2147483647' }]);
      expect(res.body.error).toBe('VALIDATION.FAILED');
    },
  );

  it('should name both malformed headers in one 400', async () => {
    const route = routeOf(uniqueTenant('minrev-both'));

    const res = await api.http.get(resolvePath(route), { 'if-none-match': '1', 'x-min-revision': 'one' });

    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['If-None-Match', 'X-Min-Revision']);
  });
});
