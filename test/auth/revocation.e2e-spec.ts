import { eventually } from '../helpers/eventually';
import { HttpClient, resolvePath } from '../helpers/http';
import { createKey } from '../helpers/keys';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivateRedis } from '../helpers/private-redis';
import { startApi, TestApp } from '../helpers/test-app';

// Keys and routes held for an hour and ten minutes: on B only the invalidation channel (or, while
// it is down, the short re-check) can explain a revocation taking effect.
const LONG_CACHES = { AUTH_KEY_CACHE_TTL_MS: '3600000', RESOLVE_LOCAL_CACHE_TTL_MS: '600000', OUTBOX_RELAY_ENABLED: 'false' };

async function expectRefused(client: HttpClient, path: string): Promise<void> {
  const res = await client.get(path);
  expect({ status: res.status, error: res.body?.error }).toEqual({ status: 401, error: 'AUTH.UNAUTHENTICATED' });
}

describe('Key revocation across API instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startApi({ AUTH_KEY_CACHE_TTL_MS: '3600000' });
    b = await startApi(LONG_CACHES);
  });

  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('should refuse a revoked key on both instances within 5 s, including resolves served from memory', async () => {
    const tenant = uniqueTenant('revoke-two');
    const route = routeOf(tenant);
    await a.http.post('/api/v1/routes', { ...route, url: 'https://one.example.com' });
    const key = await createKey(a.http, { tenant, role: 'reader' });
    const onA = a.http.as(key.key);
    const onB = b.http.as(key.key);
    for (const client of [onA, onB]) {
      expect((await client.get(resolvePath(route))).body.url).toBe('https://one.example.com');
      expect((await client.get(`/api/v1/routes?tenant=${tenant}`)).status).toBe(200);
    }
    // B now answers this route from its in-process tier.
    const localHits = await scrape(b.http, 'resolve_local_cache_hit_total');
    expect((await onB.get(resolvePath(route))).status).toBe(200);
    expect(await scrape(b.http, 'resolve_local_cache_hit_total')).toBe(localHits + 1);

    expect((await a.http.delete(`/api/v1/keys/${key.id}`)).status).toBe(200);

    await eventually(
      async () => {
        for (const client of [onA, onB]) {
          await expectRefused(client, resolvePath(route));
          await expectRefused(client, `/api/v1/routes?tenant=${tenant}`);
        }
      },
      5_000,
      20,
    );
    // The route itself is still served to others, from memory.
    expect((await b.http.get(resolvePath(route))).body.url).toBe('https://one.example.com');
  });
});

describe('Key revocation while an instance has lost its Redis channel (e2e)', () => {
  let redis: PrivateRedis;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    a = await startApi();
    // B's Redis (and so its invalidation channel) is its own: A's announcements never reach it.
    b = await startApi({ ...LONG_CACHES, REDIS_PORT: String(redis.port) });
  });

  afterAll(async () => {
    await b.close();
    await a.close();
    await redis.stop();
  });

  it('should re-check keys every few seconds while the channel is down, so a missed revocation still takes effect', async () => {
    const tenant = uniqueTenant('revoke-down');
    const key = await createKey(a.http, { tenant, role: 'reader' });
    const onB = b.http.as(key.key);
    expect((await onB.get(`/api/v1/routes?tenant=${tenant}`)).status).toBe(200);
    await redis.stop();
    // Still served while PostgreSQL answers: the key is re-read, not dropped.
    await eventually(async () => expect((await onB.get(`/api/v1/routes?tenant=${tenant}`)).status).toBe(200), 5_000);

    expect((await a.http.delete(`/api/v1/keys/${key.id}`)).status).toBe(200);

    await eventually(async () => expectRefused(onB, `/api/v1/routes?tenant=${tenant}`), 5_000, 50);
    await expectRefused(onB, resolvePath(routeOf(tenant)));
  });
});
