import Redis from 'ioredis';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { TcpGate } from '../helpers/tcp-gate';
import { startApi, TestApp } from '../helpers/test-app';

// The API is pointed at a closed port in front of PostgreSQL or Redis, as if that store were still
// starting; the port opens a few seconds later. The process must boot, stay up, say 503 on
// /health/ready, and work once the store appears, without a restart.
describe('API started while a store is briefly unavailable (e2e)', () => {
  let api: TestApp | undefined;
  let gate: TcpGate | undefined;

  afterEach(async () => {
    await api?.close();
    await gate?.close();
    api = gate = undefined;
  });

  it('should boot without PostgreSQL, answer writes with 503, and work once PostgreSQL appears', async () => {
    gate = await TcpGate.reserve(5432);
    api = await startApi({ DB_PORT: String(gate.port), OUTBOX_RELAY_ENABLED: 'false' });
    const route = routeOf(uniqueTenant('late-pg'));

    expect((await api.http.get('/health/live')).status).toBe(200);
    const ready = await api.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.database.status).toBe('down');
    const write = await api.http.post('/api/v1/routes', { ...route, url: 'https://late.example.com' });
    expect(write.status).toBe(503);
    expect(write.body).toMatchObject({ error: 'DEPENDENCY.UNAVAILABLE' });
    expect(write.headers.get('retry-after')).toBeTruthy();

    await gate.open();
    await eventually(async () => expect((await api!.http.get('/health/ready')).status).toBe(200), 30_000);
    expect((await api.http.post('/api/v1/routes', { ...route, url: 'https://late.example.com' })).status).toBe(201);
    expect((await api.http.get(resolvePath(route))).body).toMatchObject({ url: 'https://late.example.com', revision: 1 });
  });

  it('should boot without Redis, resolve from PostgreSQL meanwhile, and cache once Redis appears', async () => {
    gate = await TcpGate.reserve(6379);
    api = await startApi({ REDIS_PORT: String(gate.port), REDIS_DB: '3', OUTBOX_RELAY_ENABLED: 'false' });
    const route = routeOf(uniqueTenant('late-redis'));

    expect((await api.http.get('/health/live')).status).toBe(200);
    // Redis is optional for the API: readiness stays 200 and reports it degraded.
    const ready = await api.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.redis).toMatchObject({ status: 'up', degraded: true });
    expect((await api.http.post('/api/v1/routes', { ...route, url: 'https://late-cache.example.com' })).status).toBe(201);
    expect((await api.http.get(resolvePath(route))).body).toMatchObject({ url: 'https://late-cache.example.com' });

    await gate.open();
    await eventually(
      async () => expect((await api!.http.get('/health/ready')).body.details.redis).toEqual({ status: 'up', latency_ms: expect.any(Number) }),
      30_000,
    );
    const hitsBefore = await scrape(api.http, 'resolve_cache_hit_total');
    await api.http.get(resolvePath(route));
    await api.http.get(resolvePath(route));
    expect(await scrape(api.http, 'resolve_cache_hit_total')).toBeGreaterThan(hitsBefore);
    const redis = new Redis({ host: '127.0.0.1', port: 6379, db: 3 });
    try {
      expect(await redis.keys(`*${route.tenant}*`)).not.toHaveLength(0);
    } finally {
      redis.disconnect();
    }
  });
});
