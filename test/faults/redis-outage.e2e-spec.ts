import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivateRedis } from '../helpers/private-redis';
import { redisClient } from '../helpers/redis';
import { SteadyLoad, unexpected } from '../helpers/steady-load';
import { startApi, TestApp } from '../helpers/test-app';

// A private redis-server, killed and restarted under steady resolve load: PostgreSQL answers
// meanwhile, the redis breaker opens, and it closes again (and caching resumes) once Redis is back.
describe('Redis stopped under steady resolve load (e2e)', () => {
  let redis: PrivateRedis;
  let api: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    // Without the in-process tier every resolve asks Redis, so the outage is felt by every request.
    api = await startApi({ REDIS_PORT: String(redis.port), RESOLVE_LOCAL_CACHE_ENABLED: 'false', BREAKER_HALF_OPEN_AFTER_MS: '1000' });
  });

  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  const redisBreaker = () => scrape(api.http, 'circuit_breaker_state', { dependency: 'redis' });

  it('should answer every resolve while Redis is down, open the redis breaker, and close it once Redis is back', async () => {
    const tenant = uniqueTenant('redis-fault');
    const routes = Array.from({ length: 10 }, (_, i) => routeOf(tenant, `v${i}`));
    for (const route of routes) {
      expect((await api.http.post('/api/v1/routes', { ...route, url: `https://${route.version}.example.com` })).status).toBe(201);
    }
    expect(await redisBreaker()).toBe(0);

    const load = new SteadyLoad((n) => api.http.get(resolvePath(routes[n % routes.length])), { workers: 2, pauseMs: 20 });
    try {
      await eventually(() => expect(load.outcomes.length).toBeGreaterThanOrEqual(20));

      const stopping = Date.now();
      await redis.stop();
      const stoppedAt = Date.now();
      await eventually(async () => expect(await redisBreaker()).toBe(2), 30_000);
      expect((await api.http.get('/health/resilience')).body.circuit_breakers.redis).toMatchObject({ state: 'open' });
      // The propagation status still answers from PostgreSQL; what only Redis knows is unknown, not guessed.
      const status = await api.http.get(`/api/v1/routes/${tenant}/payments/prod/v0/propagation`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        revision: 1,
        live: null,
        stages: {
          committed: { state: 'done' },
          shared_cache: { state: 'unknown', revision: null },
          cache_invalidation: { state: 'unknown' },
          cache_warming: { state: 'unknown' },
        },
      });
      // Readiness stays 200 and says what is degraded: Redis, and the channel other instances' changes come by.
      await eventually(async () => {
        const ready = await api.http.get('/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.details.redis).toMatchObject({ status: 'up', degraded: true });
        expect(ready.body.details.invalidation_channel).toMatchObject({
          status: 'up',
          degraded: true,
          channel: 'tm:v1:invalidate',
          message: expect.stringContaining('in-process caches are bypassed'),
        });
        expect(Date.parse(ready.body.details.invalidation_channel.down_since)).toBeGreaterThanOrEqual(stopping);
      }, 30_000);
      expect(await scrape(api.http, 'cache_invalidation_channel_subscribed')).toBe(0);
      await eventually(() => expect(load.between(stoppedAt).length).toBeGreaterThanOrEqual(100), 60_000);

      await redis.start();
      await eventually(async () => expect(await redisBreaker()).toBe(0), 30_000);
      expect((await api.http.get('/health/resilience')).body.circuit_breakers.redis).toMatchObject({ state: 'closed' });
      await eventually(async () =>
        expect((await api.http.get('/health/ready')).body.details.invalidation_channel).toEqual({ status: 'up', channel: 'tm:v1:invalidate' }),
      );
      expect(await scrape(api.http, 'cache_invalidation_channel_subscribed')).toBe(1);
      // The restarted Redis is empty: resolves fill it again, without a restart of the API.
      const probe = redisClient(redis.port);
      try {
        await eventually(async () => expect(await probe.get(`tm:v1:route:${tenant}:payments:prod:v0`)).toBe('1|+https://v0.example.com'));
      } finally {
        probe.disconnect();
      }
    } finally {
      await load.stop();
    }

    const answeredRight = (o: (typeof load.outcomes)[number]) =>
      o.result?.status === 200 && o.result.body.url === `https://${o.result.body.version}.example.com`;
    expect(unexpected(load.outcomes, answeredRight)).toEqual([]);
  });
});
