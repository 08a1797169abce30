import { AppProcess } from '../helpers/app-process';
import { within } from '../helpers/deadline';
import { eventually } from '../helpers/eventually';
import { createKey } from '../helpers/keys';
import { routeOf, uniqueTenant } from '../helpers/names';
import { scrape } from '../helpers/metrics';
import { SseStream } from '../helpers/sse';
import { startApi, TestApp } from '../helpers/test-app';
import { DrainState } from '../../src/modules/resilience';
import { InvalidationBus } from '../../src/infra/redis/invalidation-bus';

type Route = ReturnType<typeof routeOf>;

// GET /api/v1/routes/watch: a server-sent event stream of route changes, fed by the change channel
// every instance receives; two real API instances on the same PostgreSQL and Redis.
describe('Watch streams (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  const open: SseStream[] = [];

  beforeAll(async () => {
    a = await startApi();
    b = await startApi();
    // A stream is refused (503) until the instance's change channel is subscribed, which may take a
    // moment after start when Redis has just come up (this suite can be the first of a run).
    await eventually(() => expect([a, b].every((app) => app.app.get(InvalidationBus).live)).toBe(true));
  });

  afterAll(async () => {
    for (const stream of open) stream.close();
    await b.close();
    await a.close();
  });

  const watch = async (app: TestApp, query: string, headers: Record<string, string> = {}, http = app.http) => {
    const stream = await SseStream.open(http, `/api/v1/routes/watch${query}`, headers);
    open.push(stream);
    return stream;
  };
  const write = async (app: TestApp, route: Route, url: string) => {
    const res = await app.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBeLessThan(300);
    return res.body;
  };

  it('should stream a change made through another instance, with its state, revision and id, after ready', async () => {
    const tenant = uniqueTenant('watch');
    const stream = await watch(b, `?tenant=${tenant}`);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['x-correlation-id']).toEqual(expect.any(String));
    await stream.waitFor((events) => events.some((e) => e.event === 'ready'));
    expect(stream.retry).toBe(2000);
    expect(stream.events[0]).toMatchObject({ event: 'ready', data: { resumed: false, replayed: 0 } });

    const route = routeOf(tenant);
    const created = await write(a, route, 'https://one.example.com');
    await stream.waitFor((all) => all.some((e) => e.event === 'route'));
    await a.http.post('/api/v1/routes/deactivate', route);

    const events = await stream.waitFor((all) => all.filter((e) => e.event === 'route').length >= 2);
    const changes = events.filter((e) => e.event === 'route');
    expect(changes.map((e) => e.data)).toEqual([
      { ...route, url: 'https://one.example.com', is_active: true, revision: 1, updated_at: created.updated_at },
      { ...route, url: 'https://one.example.com', is_active: false, revision: 2, updated_at: expect.any(String) },
    ]);
    expect(changes.map((e) => e.id)).toEqual(changes.map((e) => String(Date.parse(e.data.updated_at))));
  });

  it('should send each revision once although the writer and others announce it, and only what the filter asks for', async () => {
    const tenant = uniqueTenant('watchf');
    const payments = await watch(a, `?tenant=${tenant}&service=payments&env=prod`);
    const other = await watch(a, `?tenant=${tenant}&service=billing`);
    await payments.waitFor((events) => events.some((e) => e.event === 'ready'));
    await other.waitFor((events) => events.some((e) => e.event === 'ready'));

    await write(a, routeOf(tenant, 'v1'), 'https://p1.example.com');
    await write(b, { ...routeOf(tenant, 'v1'), env: 'staging' }, 'https://staging.example.com');
    await write(b, { ...routeOf(tenant, 'v1'), service: 'billing' }, 'https://billing.example.com');
    await write(a, routeOf(tenant, 'v2'), 'https://p2.example.com');
    await write(a, routeOf(tenant, 'v2'), 'https://p2.example.com'); // no change: no revision, no event

    await payments.waitFor((events) => events.filter((e) => e.event === 'route').length >= 2);
    await other.waitFor((events) => events.filter((e) => e.event === 'route').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(payments.of('route').map((e) => [e.data.version, e.data.env, e.data.revision])).toEqual([
      ['v1', 'prod', 1],
      ['v2', 'prod', 1],
    ]);
    expect(other.of('route').map((e) => [e.data.service, e.data.url])).toEqual([['billing', 'https://billing.example.com']]);
  });

  it('should resume after Last-Event-ID with the routes changed since, then ready, then live changes', async () => {
    const tenant = uniqueTenant('watchr');
    const first = await watch(a, `?tenant=${tenant}`);
    await first.waitFor((events) => events.some((e) => e.event === 'ready'));
    await write(a, routeOf(tenant, 'v1'), 'https://r1.example.com');
    const [seen] = (await first.waitFor((events) => events.some((e) => e.event === 'route'))).filter((e) => e.event === 'route');
    first.close();
    // Missed while disconnected.
    await write(b, routeOf(tenant, 'v2'), 'https://r2.example.com');
    await write(b, routeOf(tenant, 'v1'), 'https://r1b.example.com');

    const resumed = await watch(b, `?tenant=${tenant}`, { 'Last-Event-ID': seen.id! });
    await resumed.waitFor((events) => events.some((e) => e.event === 'ready'));
    const replay = resumed.events.slice(
      0,
      resumed.events.findIndex((e) => e.event === 'ready'),
    );
    expect(replay.map((e) => [e.data.version, e.data.url, e.data.revision])).toEqual([
      ['v2', 'https://r2.example.com', 1],
      ['v1', 'https://r1b.example.com', 2],
    ]);
    expect(resumed.of('ready')[0].data).toEqual({ resumed: true, replayed: 2 });

    await write(a, routeOf(tenant, 'v3'), 'https://r3.example.com');
    await resumed.waitFor((events) => events.some((e) => e.event === 'route' && e.data.version === 'v3'));
  });

  it("should give a tenant key only its own tenant's changes, and nothing for another tenant's filter", async () => {
    const mine = uniqueTenant('watchmine');
    const theirs = uniqueTenant('watchtheirs');
    const key = await createKey(a.http, { tenant: mine, role: 'reader' });
    const all = await watch(a, '', {}, key.client);
    const foreign = await watch(a, `?tenant=${theirs}`, {}, key.client);
    await all.waitFor((events) => events.some((e) => e.event === 'ready'));
    await foreign.waitFor((events) => events.some((e) => e.event === 'ready'));

    await write(a, routeOf(theirs), 'https://theirs.example.com');
    await write(a, routeOf(mine), 'https://mine.example.com');

    await all.waitFor((events) => events.some((e) => e.event === 'route'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(all.of('route').map((e) => e.data.tenant)).toEqual([mine]);
    expect(foreign.of('route')).toEqual([]);
  });

  it.each([
    ['?version=v1', 'version', {}],
    ['?tenant=team:a', 'tenant', {}],
    ['?tenant=a&tenant=b', 'tenant', {}],
    ['?service=', 'service', {}],
    ['', 'Last-Event-ID', { 'Last-Event-ID': 'yesterday' }],
    ['', 'Last-Event-ID', { 'Last-Event-ID': '12345678901234567' }],
  ])('should refuse %s %j with a JSON 400 naming %s', async (query, field, headers) => {
    const stream = await watch(a, query, headers as Record<string, string>);

    expect(stream.status).toBe(400);
    expect(stream.errorBody).toMatchObject({ error: 'VALIDATION.FAILED', details: [expect.objectContaining({ field })] });
  });

  it('should refuse a caller without a key', async () => {
    const stream = await watch(a, '', {}, a.http.as(null));
    expect(stream.status).toBe(401);
  });

  it('should count open streams, end them all when draining begins, and refuse new ones while draining', async () => {
    const c = await startApi();
    try {
      const streams = [await watch(c, ''), await watch(c, `?tenant=${uniqueTenant('watchd')}`)];
      for (const stream of streams) await stream.waitFor((events) => events.some((e) => e.event === 'ready'));
      expect(await scrape(c.http, 'route_watch_streams')).toBe(2);

      c.app.get(DrainState).begin(); // what SIGTERM does first
      await Promise.all(streams.map((stream) => stream.ended));

      expect(await scrape(c.http, 'route_watch_streams')).toBe(0);
      const refused = await watch(c, '');
      expect(refused.status).toBe(503);
      expect(refused.errorBody).toMatchObject({ error: 'SERVICE.DRAINING' });
    } finally {
      await c.close();
    }
  });

  it('should end its streams at once on SIGTERM, and exit 0 without waiting for them (the built API)', async () => {
    const api = await AppProcess.start('main', { DRAIN_DELAY: '1', DRAIN_TIMEOUT: '30' });
    try {
      await eventually(async () => expect((await api.http.get('/health/ready')).status).toBe(200), 60_000);
      const stream = await SseStream.open(api.http, '/api/v1/routes/watch');
      open.push(stream);
      await stream.waitFor((events) => events.some((e) => e.event === 'ready'));

      const signalledAt = Date.now();
      api.signal('SIGTERM');
      await within(5000, stream.ended, 'the stream to end');

      expect(await within(20_000, api.exited, 'exit')).toEqual({ code: 0, signal: null });
      expect(Date.now() - signalledAt).toBeLessThan(20_000);
    } finally {
      await api.kill();
    }
  });

  it('should end open streams when the application closes, so closing does not wait for them', async () => {
    const c = await startApi();
    const stream = await watch(c, '');
    await stream.waitFor((events) => events.some((e) => e.event === 'ready'));

    await c.close();
    await stream.ended;
  });

  it('should refuse streams beyond ROUTE_WATCH_MAX_STREAMS with 503 and Retry-After, and accept again once one closes', async () => {
    const c = await startApi({ ROUTE_WATCH_MAX_STREAMS: '1' });
    try {
      const first = await watch(c, '');
      await first.waitFor((events) => events.some((e) => e.event === 'ready'));

      const refused = await watch(c, '');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.errorBody).toMatchObject({ error: 'SERVICE.OVERLOADED' });

      first.close();
      await first.ended;
      await eventually(async () => {
        const again = await watch(c, '');
        expect(again.status).toBe(200);
        again.close();
      });
    } finally {
      await c.close();
    }
  });
});
