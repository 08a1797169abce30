import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

// Conditional writes: If-Match, If-None-Match: * and expected_revision make a change apply only if
// the route is as the client last saw it; otherwise 412 and nothing is written.
describe('Conditional route writes (e2e)', () => {
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

  const fresh = (): Route => routeOf(uniqueTenant('cas'));
  const create = async (url = 'https://a.example.com') => {
    const route = fresh();
    expect((await api.http.post('/api/v1/routes', { ...route, url })).status).toBe(201);
    return route;
  };
  const events = async (route: Route) => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE message_key = $1`, [
      `${route.tenant}:${route.service}:${route.env}:${route.version}`,
    ]);
    return rows[0].n as number;
  };
  const stored = async (route: Route) => (await api.http.get(`/api/v1/routes/${route.tenant}/${route.service}/${route.env}/${route.version}`)).body;

  const refused = (route: Route, current: number | null, message: RegExp) => ({
    error: 'ROUTE.PRECONDITION_FAILED',
    message: expect.stringMatching(message),
    ...route,
    current_revision: current,
    correlation_id: expect.any(String),
  });

  describe.each([
    ['If-Match', (revision: number) => ({ headers: { 'if-match': `"${revision}"` }, body: {} })],
    ['expected_revision', (revision: number) => ({ headers: {}, body: { expected_revision: revision } })],
  ])('with %s', (_name, condition) => {
    it.each([
      ['an update', (route: Route) => ['/api/v1/routes', { ...route, url: 'https://b.example.com' }] as const],
      ['a deactivate', (route: Route) => ['/api/v1/routes/deactivate', route] as const],
    ])('should apply %s when the route is at that revision, and refuse it at the next one', async (_what, request) => {
      const route = await create();
      const [path, body] = request(route);
      const at1 = condition(1);

      const applied = await api.http.post(path, { ...body, ...at1.body }, at1.headers);
      const stale = await api.http.post(path, { ...body, ...at1.body }, at1.headers);

      expect(applied.status).toBe(200);
      expect(applied.body.revision).toBe(2);
      expect(stale.status).toBe(412);
      expect(stale.headers.get('content-type')).toMatch(/^application\/json/);
      expect(stale.body).toEqual(refused(route, 2, /is at revision 2; the change required revision 1$/));
      expect(await events(route)).toBe(2);
    });

    it('should let exactly one of two writers that read the same revision win', async () => {
      const route = await create();
      const at1 = condition(1);
      const results = await Promise.all(
        ['https://b.example.com', 'https://c.example.com', 'https://d.example.com', 'https://e.example.com'].map((url) =>
          api.http.post('/api/v1/routes', { ...route, url, ...at1.body }, at1.headers),
        ),
      );

      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.status === 412)).toHaveLength(3);
      expect(await stored(route)).toMatchObject({ url: winners[0].body.url, revision: 2 });
      expect(await events(route)).toBe(2);
    });
  });

  it('should accept any of a list of If-Match revisions', async () => {
    const route = await create();
    const res = await api.http.post('/api/v1/routes/deactivate', route, { 'if-match': '"7", "1"' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_active: false, revision: 2 });
  });

  it('should refuse a weak If-Match tag (strong comparison), explaining why', async () => {
    const route = await create();
    const etag = (await api.http.get(resolvePath(route))).headers.get('etag')!;
    expect(etag).toBe('W/"1"');

    const res = await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' }, { 'if-match': etag });

    expect(res.status).toBe(412);
    expect(res.body).toEqual(refused(route, 1, /If-Match named no revision: it compares strong tags such as "3"/));
    expect((await stored(route)).url).toBe('https://a.example.com');
  });

  it('should create only when the route does not exist yet (If-None-Match: * or expected_revision 0)', async () => {
    const route = fresh();
    const first = await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' }, { 'if-none-match': '*' });
    const again = await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' }, { 'if-none-match': '*' });
    const viaBody = await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com', expected_revision: 0 });

    expect(first.status).toBe(201);
    expect(again.status).toBe(412);
    expect(again.body).toEqual(refused(route, 1, /is at revision 1; the change required it not to exist yet$/));
    expect(viaBody.status).toBe(412);
    expect(await events(route)).toBe(1);
  });

  it('should let exactly one of concurrent create-only writers create the route', async () => {
    const route = fresh();
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((host) => api.http.post('/api/v1/routes', { ...route, url: `https://${host}.example.com`, expected_revision: 0 })),
    );

    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412).map((r) => r.body.current_revision)).toEqual([1, 1, 1]);
    expect(await events(route)).toBe(1);
  });

  it('should refuse a create that needs an existing route (If-Match) without creating anything', async () => {
    const route = fresh();
    for (const headers of [{ 'if-match': '*' }, { 'if-match': '"1"' }]) {
      const res = await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' }, headers);
      expect(res.status).toBe(412);
      expect(res.body).toEqual(refused(route, null, /does not exist; the change required/));
    }
    expect((await api.http.get(`/api/v1/routes/${route.tenant}/${route.service}/${route.env}/${route.version}`)).status).toBe(404);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM tenants WHERE name = $1`, [route.tenant]);
    expect(rows[0].n).toBe(0);
  });

  it('should answer 404, not 412, for activating or deactivating a route that does not exist', async () => {
    const route = fresh();
    const res = await api.http.post('/api/v1/routes/activate', route, { 'if-match': '"1"' });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('ROUTE.NOT_FOUND');
  });

  it('should refuse a stale precondition even when the route is already in the requested state', async () => {
    const route = await create();
    await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });

    const res = await api.http.post('/api/v1/routes/activate', { ...route, expected_revision: 1 });

    expect(res.status).toBe(412);
    expect(res.body.current_revision).toBe(2);
  });

  it('should answer a matching no-op write with 200 and no new revision', async () => {
    const route = await create();
    const res = await api.http.post('/api/v1/routes/activate', { ...route, expected_revision: 1 });
    expect(res.status).toBe(200);
    expect(res.body.revision).toBe(1);
    expect(await events(route)).toBe(1);
  });

  it.each([
    ['a malformed If-Match', { 'if-match': '3' }, {}, [{ field: 'If-Match', problem: expect.stringContaining('entity tags') }]],
    ['If-None-Match with a tag', { 'if-none-match': '"1"' }, {}, [{ field: 'If-None-Match', problem: expect.stringContaining('"*"') }]],
    [
      'expected_revision as a string',
      {},
      { expected_revision: '1' },
      [{ field: 'expected_revision', problem: 'must be a whole number from 0 to 2147483647' }],
    ],
    [
      'a negative expected_revision',
      {},
      { expected_revision: -1 },
      [{ field: 'expected_revision', problem: 'must be a whole number from 0 to 2147483647' }],
    ],
    [
      'a null expected_revision',
      {},
      { expected_revision: null },
      [{ field: 'expected_revision', problem: 'must be a whole number from 0 to 2147483647' }],
    ],
    [
      'If-Match and expected_revision',
      { 'if-match': '"1"' },
      { expected_revision: 1 },
      [{ field: 'expected_revision', problem: 'cannot be sent with If-Match: send one precondition' }],
    ],
  ])('should refuse %s with a 400 naming it, writing nothing', async (_name, headers, extra, details) => {
    const route = await create();
    for (const [path, body] of [
      ['/api/v1/routes', { ...route, url: 'https://b.example.com', ...extra }],
      ['/api/v1/routes/deactivate', { ...route, ...extra }],
    ] as const) {
      const res = await api.http.post(path, body, headers as Record<string, string>);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION.FAILED', details });
    }
    expect(await stored(route)).toMatchObject({ url: 'https://a.example.com', is_active: true, revision: 1 });
  });
});
