import Redis from 'ioredis';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { redisClient } from '../helpers/redis';
import { startApi, TestApp } from '../helpers/test-app';

// In-process entries live 4 s (±20 %: 3.2-4.8 s); from half their life a hit fetches the route again
// from Redis in the background. Redis is changed behind the API's back (no announcement), so only a
// refresh can explain the API serving the new value from memory.
const TTL_MS = 4000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('In-process tier refresh-ahead (e2e)', () => {
  let api: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    api = await startApi({ RESOLVE_LOCAL_CACHE_TTL_MS: String(TTL_MS), RESOLVE_LOCAL_CACHE_REFRESH_PERCENT: '50', OUTBOX_RELAY_ENABLED: 'false' });
    redis = redisClient();
  });

  afterAll(async () => {
    redis.disconnect();
    await api.close();
  });

  const resolve = async (route: ReturnType<typeof routeOf>) => (await api.http.get(resolvePath(route))).body as { url: string; revision: number };
  const refreshed = () => scrape(api.http, 'resolve_local_cache_refresh_total', { result: 'refreshed' });
  const localHits = () => scrape(api.http, 'resolve_local_cache_hit_total');

  it('should fetch a route asked for late in its life again from Redis, and keep serving it from memory past its first lifetime', async () => {
    const route = routeOf(uniqueTenant('refresh'));
    const created = await api.http.post('/api/v1/routes', { ...route, url: 'https://one.example.com' });
    expect(created.status).toBe(201);
    expect((await resolve(route)).url).toBe('https://one.example.com');
    const revision = (await resolve(route)).revision;
    const key = `tm:v1:route:${route.tenant}:${route.service}:${route.env}:${route.version}`;
    // What a change would leave in Redis, without its announcement.
    await redis.set(key, `${revision + 1}|+https://refreshed.example.com`, 'EX', 600);
    expect((await resolve(route)).url).toBe('https://one.example.com');

    const before = await refreshed();
    await sleep(TTL_MS * 0.6 + 100); // past the refresh point of any jittered lifetime, before the end of the shortest
    expect((await resolve(route)).url).toBe('https://one.example.com');
    await eventually(async () => expect(await refreshed()).toBeGreaterThan(before), 2_000, 20);
    expect(await resolve(route)).toMatchObject({ url: 'https://refreshed.example.com', revision: revision + 1 });

    await sleep(TTL_MS * 0.6); // the first lifetime (at most 1.2 x TTL) is over by now
    const hits = await localHits();
    expect((await resolve(route)).url).toBe('https://refreshed.example.com');
    expect(await localHits()).toBe(hits + 1);
  });

  it('should never take an older revision from Redis on a refresh', async () => {
    const route = routeOf(uniqueTenant('refresh-old'));
    await api.http.post('/api/v1/routes', { ...route, url: 'https://two.example.com' });
    const { revision } = await resolve(route);
    const key = `tm:v1:route:${route.tenant}:${route.service}:${route.env}:${route.version}`;
    await redis.set(key, `${revision - 1}|+https://older.example.com`, 'EX', 600);

    await sleep(TTL_MS * 0.6 + 100);
    expect((await resolve(route)).url).toBe('https://two.example.com');
    await sleep(300);
    expect((await resolve(route)).url).toBe('https://two.example.com');
  });
});
