import Redis from 'ioredis';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { redisClient } from '../helpers/redis';
import { startApi, TestApp } from '../helpers/test-app';

// Two API instances on one PostgreSQL/Redis/Kafka, each with its in-process tier. B keeps entries
// for 10 minutes, so only the invalidation channel can explain B serving a change made through A.
describe('Two API instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  let redis: Redis;

  beforeAll(async () => {
    a = await startApi();
    b = await startApi({ RESOLVE_LOCAL_CACHE_TTL_MS: '600000', OUTBOX_RELAY_ENABLED: 'false' });
    redis = redisClient();
  });

  afterAll(async () => {
    redis.disconnect();
    await b.close();
    await a.close();
  });

  const urlOn = async (app: TestApp, route: ReturnType<typeof routeOf>) => {
    const res = await app.http.get(resolvePath(route));
    return res.status === 200 ? res.body.url : res.status;
  };

  it('should serve on B a change made through A, and 404 on B after a deactivate through A', async () => {
    const route = routeOf(uniqueTenant('two'));
    await a.http.post('/api/v1/routes', { ...route, url: 'https://one.example.com' });
    expect(await urlOn(b, route)).toBe('https://one.example.com');
    const localHits = await scrape(b.http, 'resolve_local_cache_hit_total');
    expect(await urlOn(b, route)).toBe('https://one.example.com');
    expect(await scrape(b.http, 'resolve_local_cache_hit_total')).toBe(localHits + 1);

    await a.http.post('/api/v1/routes', { ...route, url: 'https://two.example.com' });
    await eventually(async () => expect(await urlOn(b, route)).toBe('https://two.example.com'), 5_000, 5);

    await a.http.post('/api/v1/routes/deactivate', route);
    await eventually(async () => expect(await urlOn(b, route)).toBe(404), 5_000, 5);

    await a.http.post('/api/v1/routes/activate', route);
    await eventually(async () => expect(await urlOn(b, route)).toBe('https://two.example.com'), 5_000, 5);
  });

  it('should serve on B a route created through A after B cached it as missing', async () => {
    const route = routeOf(uniqueTenant('two-new'));
    expect(await urlOn(b, route)).toBe(404);
    expect(await urlOn(b, route)).toBe(404);

    await a.http.post('/api/v1/routes', { ...route, url: 'https://created.example.com' });

    await eventually(async () => expect(await urlOn(b, route)).toBe('https://created.example.com'), 5_000, 5);
  });

  it('should send 1000 concurrent resolves of one cold route on one instance to PostgreSQL once', async () => {
    const route = routeOf(uniqueTenant('cold'));
    await a.http.post('/api/v1/routes', { ...route, url: 'https://cold.example.com' });
    await redis.del(`tm:v1:route:${route.tenant}:${route.service}:${route.env}:${route.version}`);
    const before = await scrape(b.http, 'db_queries_total');

    const answers = await Promise.all(Array.from({ length: 1000 }, () => urlOn(b, route)));

    expect(new Set(answers)).toEqual(new Set(['https://cold.example.com']));
    expect(await scrape(b.http, 'db_queries_total')).toBe(before + 1);
  });

  it("should delete the seed's plain-URL key on every change, so seed readers fall back to their database", async () => {
    const route = routeOf(uniqueTenant('seed-key'));
    const seedKey = `route:${route.tenant}:${route.service}:${route.env}:${route.version}`;
    await redis.set(seedKey, 'https://stale-seed-value.example.com');

    await a.http.post('/api/v1/routes', { ...route, url: 'https://fresh.example.com' });

    expect(await redis.get(seedKey)).toBeNull();
    expect(await redis.get(`tm:v1:${seedKey}`)).toBe('1|+https://fresh.example.com');
  });
});
