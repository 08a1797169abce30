import Redis from 'ioredis';
import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { redisClient } from '../helpers/redis';
import { startApi, TestApp } from '../helpers/test-app';
import { RouteHistoryPruner } from '../../src/modules/routes/route-history-pruner';

describe('Resolve read path (e2e)', () => {
  let api: TestApp;
  let db: Client;
  let redis: Redis;

  beforeAll(async () => {
    api = await startApi();
    db = await connectDb();
    redis = redisClient();
  });

  afterAll(async () => {
    redis.disconnect();
    await db.end();
    await api.close();
  });

  const cacheKeyOf = (r: { tenant: string; service: string; env: string; version: string }) =>
    `tm:v1:route:${r.tenant}:${r.service}:${r.env}:${r.version}`;

  it('should resolve an active route with its url and revision', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });

    const res = await api.http.get(resolvePath(route));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...route, url: 'https://a.example.com', revision: 1 });
  });

  it('should answer 404 ROUTE.NOT_FOUND for a missing route and cache a negative entry with the negative TTL', async () => {
    const route = routeOf(uniqueTenant());

    const res = await api.http.get(resolvePath(route));

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      ...route,
      error: 'ROUTE.NOT_FOUND',
      message: `No active route found for ${route.tenant}/payments/prod/v1`,
      correlation_id: res.headers.get('x-correlation-id'),
    });
    expect(await redis.get(cacheKeyOf(route))).toBe('0|-');
    const ttl = await redis.ttl(cacheKeyOf(route));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);
  });

  it('should cache a resolved route with the positive TTL', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });
    await redis.del(cacheKeyOf(route));

    await api.http.get(resolvePath(route));

    expect(await redis.get(cacheKeyOf(route))).toBe('1|+https://a.example.com');
    expect(await redis.ttl(cacheKeyOf(route))).toBeGreaterThan(10);
  });

  it('should answer 404 at once after a deactivate, and the new url at once after an update', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });
    expect((await api.http.get(resolvePath(route))).status).toBe(200);

    await api.http.post('/api/v1/routes/deactivate', route);
    const afterDeactivate = await api.http.get(resolvePath(route));
    await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });
    const afterUpdate = await api.http.get(resolvePath(route));

    expect(afterDeactivate.status).toBe(404);
    expect(afterUpdate.status).toBe(200);
    expect(afterUpdate.body).toMatchObject({ url: 'https://b.example.com', revision: 3 });
  });

  it('should answer a newly created route at once even after a cached "not found"', async () => {
    const route = routeOf(uniqueTenant());
    expect((await api.http.get(resolvePath(route))).status).toBe(404);

    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });

    expect((await api.http.get(resolvePath(route))).status).toBe(200);
  });

  it('should never let an older revision overwrite a newer cache entry', async () => {
    const route = routeOf(uniqueTenant());
    await api.http.post('/api/v1/routes', { ...route, url: 'https://a.example.com' });
    await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });
    expect(await redis.get(cacheKeyOf(route))).toBe('2|+https://b.example.com');

    // A slow reader that loaded revision 1 before the update tries to store it afterwards.
    const { RouteCache } = await import('../../src/modules/route-store/route-cache');
    const cache = api.app.get(RouteCache);
    const applied = await cache.store(route, { url: 'https://a.example.com', active: true, revision: 1 });

    expect(applied).toBe(false);
    expect((await api.http.get(resolvePath(route))).body.url).toBe('https://b.example.com');
  });

  it('should serve 1000 cached resolves without any PostgreSQL work', async () => {
    const route = routeOf(uniqueTenant('hot'));
    const probe = routeOf(uniqueTenant('probe'));
    await api.http.post('/api/v1/routes', { ...route, url: 'https://hot.example.com' });
    await api.http.post('/api/v1/routes', { ...probe, url: 'https://probe.example.com' });
    await redis.del(cacheKeyOf(probe));
    expect((await api.http.get(resolvePath(route))).status).toBe(200);

    const scans = async () => {
      await db.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await db.query(
        `SELECT sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::bigint AS n FROM pg_stat_user_tables
         WHERE relname IN ('tenants', 'services', 'environments', 'endpoints')`,
      );
      return Number(rows[0].n);
    };
    const settled = async () => {
      // Backends publish their table counters at most once a second; wait until two reads agree.
      let last = await scans();
      return eventually(async () => {
        await new Promise((r) => setTimeout(r, 1100));
        const now = await scans();
        const stable = now === last;
        last = now;
        if (!stable) throw new Error('pg_stat still moving');
        return now;
      });
    };

    // The history pruner's periodic DELETE joins endpoints (thousands of index scans in a test
    // database that has grown over many runs); its first pass, ~30 s after start, can fall inside
    // this window. It is no part of the read path, so it is stopped for the measurement.
    await api.app.get(RouteHistoryPruner).beforeApplicationShutdown();
    // A backend that has just worked (the writes above) may hold its table counters for up to 10 s
    // (PostgreSQL's PGSTAT_IDLE_INTERVAL) and publish them the next time it runs anything, such as
    // the scheduler's poll: wait that out, so the counters hold everything done before the loop.
    await new Promise((r) => setTimeout(r, 11_000));
    const before = await settled();
    for (let i = 0; i < 1000; i++) {
      const res = await api.http.get(resolvePath(route));
      if (res.status !== 200) throw new Error(`resolve ${i} answered ${res.status}`);
    }
    const afterHits = await settled();
    // Positive control: one cache miss does show up in the same counters.
    expect((await api.http.get(resolvePath(probe))).status).toBe(200);
    const afterMiss = await eventually(async () => {
      const n = await scans();
      if (n <= afterHits) throw new Error('miss not visible yet');
      return n;
    });

    expect(afterHits).toBe(before);
    expect(afterMiss).toBeGreaterThan(afterHits);
  });
});
