import { resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivateRedis } from '../helpers/private-redis';
import { redisClient } from '../helpers/redis';
import { startApi, TestApp } from '../helpers/test-app';

describe('Resolve with Redis down (e2e)', () => {
  let redis: PrivateRedis;
  let api: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    api = await startApi({ REDIS_PORT: String(redis.port) });
  });

  afterAll(async () => {
    await api.close();
    await redis.stop();
  });

  it('should answer from PostgreSQL and accept writes while Redis is stopped, then cache again when it is back', async () => {
    const cached = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...cached, url: 'https://a.example.com' });

    await redis.stop();
    const read = await api.http.get(resolvePath(cached));
    const fresh = routeOf(uniqueTenant());
    const write = await api.http.post('/api/v1/routes', { ...fresh, url: 'https://fresh.example.com' });
    const readFresh = await api.http.get(resolvePath(fresh));
    const deactivate = await api.http.post('/api/v1/routes/deactivate', cached);
    const readDeactivated = await api.http.get(resolvePath(cached));

    expect(read.status).toBe(200);
    expect(read.body.url).toBe('https://a.example.com');
    expect(write.status).toBe(201);
    expect(readFresh.body.url).toBe('https://fresh.example.com');
    expect(deactivate.status).toBe(200);
    expect(readDeactivated.status).toBe(404);

    await redis.start();
    const client = redisClient(redis.port);
    try {
      const { eventually } = await import('../helpers/eventually');
      await eventually(async () => {
        expect((await api.http.get(resolvePath(fresh))).status).toBe(200);
        expect(await client.get(`tm:v1:route:${fresh.tenant}:payments:prod:v1`)).toBe('1|+https://fresh.example.com');
      });
    } finally {
      client.disconnect();
    }
  });
});
