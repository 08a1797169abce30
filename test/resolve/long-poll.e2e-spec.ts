import { AppProcess } from '../helpers/app-process';
import { within } from '../helpers/deadline';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

// Long-poll resolve: If-None-Match with Prefer: wait holds the 304 until the route changes, on this
// instance or another one, or until the wait is over.
describe('Long-poll resolve (e2e)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startApi();
    b = await startApi({ RESOLVE_MAX_WATCHERS: '2', OUTBOX_RELAY_ENABLED: 'false' });
  });

  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const create = async (url = 'https://a.example.com') => {
    const route = routeOf(uniqueTenant('poll'));
    expect((await a.http.post('/api/v1/routes', { ...route, url })).status).toBe(201);
    return route;
  };
  const poll = (app: TestApp, route: Route, tag: string, wait: string) => app.http.get(resolvePath(route), { 'if-none-match': tag, prefer: wait });
  // Until the instance holds `n` long-polls (the request has reached it and is waiting).
  const holding = (app: TestApp, n: number) => eventually(async () => expect(await scrape(app.http, 'resolve_watchers')).toBe(n), 5000);

  it('should hold a poll until the route changes through the same instance, then answer the new state', async () => {
    const route = await create();
    const started = Date.now();
    const pending = poll(a, route, 'W/"1"', 'wait=20');
    await holding(a, 1);

    await a.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });
    const res = await pending;

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...route, url: 'https://b.example.com', revision: 2 });
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(res.headers.get('preference-applied')).toBe('wait=20');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await scrape(a.http, 'resolve_watchers')).toBe(0);
  });

  it('should answer a poll held on B when the route changes through A, and 404 after a deactivate', async () => {
    const route = await create();
    expect((await b.http.get(resolvePath(route))).status).toBe(200);

    const changed = poll(b, route, 'W/"1"', 'wait=20');
    await holding(b, 1);
    await a.http.post('/api/v1/routes', { ...route, url: 'https://c.example.com' });
    expect((await changed).body).toMatchObject({ url: 'https://c.example.com', revision: 2 });

    const gone = poll(b, route, 'W/"2"', 'wait=20');
    await holding(b, 1);
    await a.http.post('/api/v1/routes/deactivate', route);
    const res = await gone;
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('ROUTE.NOT_FOUND');
  });

  it('should answer 304 once the wait is over, with Preference-Applied', async () => {
    const route = await create();
    const started = Date.now();
    const res = await poll(a, route, 'W/"1"', 'wait=1');
    expect(res.status).toBe(304);
    expect(res.headers.get('preference-applied')).toBe('wait=1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('should answer at once, without waiting, when the tag is already out of date or no If-None-Match is sent', async () => {
    const route = await create();
    await a.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });
    const started = Date.now();

    const stale = await poll(a, route, 'W/"1"', 'wait=30');
    const plain = await a.http.get(resolvePath(route), { prefer: 'wait=30' });

    expect(stale.status).toBe(200);
    expect(stale.body.revision).toBe(2);
    expect(stale.headers.get('preference-applied')).toBeNull();
    expect(plain.status).toBe(200);
    expect(plain.headers.get('preference-applied')).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('should answer at once, without Preference-Applied, beyond RESOLVE_MAX_WATCHERS', async () => {
    const route = await create();
    const held = [poll(b, route, 'W/"1"', 'wait=20'), poll(b, route, 'W/"1"', 'wait=20')];
    await holding(b, 2);

    const started = Date.now();
    const third = await poll(b, route, 'W/"1"', 'wait=20');
    expect(third.status).toBe(304);
    expect(third.headers.get('preference-applied')).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);

    await a.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
  });

  it('should let a poll go when its client goes away', async () => {
    const route = await create();
    const controller = new AbortController();
    const gone = fetch(`${a.http.baseUrl}${resolvePath(route)}`, {
      headers: { authorization: `Bearer ${a.http.key}`, 'if-none-match': 'W/"1"', prefer: 'wait=30' },
      signal: controller.signal,
    }).catch((err: Error) => err.name);
    await holding(a, 1);
    controller.abort();
    expect(await gone).toBe('AbortError');
    await holding(a, 0);
  });

  it.each([['wait=abc'], ['wait=51'], ['wait=-1'], ['wait']])(
    'should refuse Prefer %j on a conditional resolve with a JSON 400 naming it',
    async (prefer) => {
      const route = await create();
      const res = await poll(a, route, 'W/"1"', prefer);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: 'VALIDATION.FAILED',
        details: [{ field: 'Prefer', problem: 'wait must be a whole number of seconds from 0 to 50' }],
      });
    },
  );

  it('should answer held polls at once when the instance begins to drain (SIGTERM), and exit 0 long before their wait', async () => {
    const api = await AppProcess.start('main', { DRAIN_DELAY: '1', DRAIN_TIMEOUT: '30' });
    try {
      await eventually(async () => expect((await api.http.get('/health/ready')).status).toBe(200), 60_000);
      const route = routeOf(uniqueTenant('poll-drain'));
      expect((await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' })).status).toBe(201);
      const held = api.http.get(resolvePath(route), { 'if-none-match': 'W/"1"', prefer: 'wait=50' });
      await eventually(async () => expect(await scrape(api.http, 'resolve_watchers')).toBe(1), 5000);

      const signalledAt = Date.now();
      api.signal('SIGTERM');
      const res = await within(5000, held, 'the held poll');

      expect(res.status).toBe(304);
      expect(res.headers.get('preference-applied')).toBe('wait=50');
      expect(await within(20_000, api.exited, 'exit')).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(20_000);
    } finally {
      await api.kill();
    }
  });
});
