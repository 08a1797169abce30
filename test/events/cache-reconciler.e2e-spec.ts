import Redis from 'ioredis';
import { Client } from 'pg';
import { CONSUMER_GROUP_NAMES } from '../../src/contracts/consumer-group-names';
import { RECONCILE_CURSOR_KEY, RECONCILE_LEASE_KEY } from '../../src/modules/consumers/cache-reconciler';
import { cacheKey, encodeEntry } from '../../src/modules/route-store/route-cache-codec';
import { AppProcess } from '../helpers/app-process';
import { groupPrefix } from '../helpers/consumer-app';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { ensureTopics, startGroupsAtEnd } from '../helpers/kafka';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

// Redis DB of its own: the reconciler's lease and cursor, and the entries this suite damages.
const REDIS_DB = '7';
const RECONCILE = { CACHE_RECONCILE_INTERVAL_MS: '100', CACHE_RECONCILE_BATCH: '200', CACHE_RECONCILE_GRACE_MS: '300', REDIS_DB };

// Anti-entropy (docs/design.md, "Cache reconciler"): cache entries that events left wrong are found by
// comparing Redis with PostgreSQL, and repaired, and the API then answers right again.
describe('Cache reconciler (e2e)', () => {
  let api: TestApp;
  // Real processes: each has its own metrics, so the lease can be seen at work.
  let consumers: AppProcess[] = [];
  let redis: Redis;
  let db: Client;

  beforeAll(async () => {
    await ensureTopics();
    api = await startApi({ REDIS_DB });
    redis = new Redis({ host: '127.0.0.1', port: 6379, db: Number(REDIS_DB) });
    db = await connectDb();
    await redis.del(RECONCILE_CURSOR_KEY, RECONCILE_LEASE_KEY);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.kill();
    redis.disconnect();
    await db.end();
    await api.close();
  });

  const write = async (path: string, body: object) => {
    const res = await api.http.post(path, body);
    expect(res.status).toBeLessThan(300);
    return res.body as { revision: number; url: string };
  };
  const resolved = async (route: Route) => {
    const res = await api.http.get(resolvePath(route));
    return [res.status, res.body.url, res.body.revision];
  };
  const total = async (name: string, labels: Record<string, string> = {}) =>
    (await Promise.all(consumers.map((consumer) => scrape(consumer.http, name, labels)))).reduce((a, b) => a + b, 0);
  const start = async (prefix: string) => {
    const consumer = await AppProcess.start('consumer', { ...RECONCILE, KAFKA_CONSUMER_GROUP_PREFIX: prefix, LOG_LEVEL: 'WARN' });
    await eventually(async () => expect((await consumer.http.get('/health/live')).status).toBe(200), 60_000, 200);
    return consumer;
  };

  it('should find stale, mismatched and ahead entries, repair them, and leave healthy ones alone', async () => {
    const tenant = uniqueTenant('reconcile');
    const [stale, mismatch, ahead, negative, healthy] = ['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => routeOf(tenant, v));
    for (const route of [stale, mismatch, ahead, negative, healthy])
      await write('/api/v1/routes', { ...route, url: `https://${route.version}.example.com` });
    await write('/api/v1/routes', { ...stale, url: 'https://v1-new.example.com' });
    // The API stored each write in Redis itself; damage four entries as a lost event, a hand edit or
    // a restored snapshot would.
    await redis.set(cacheKey(stale), encodeEntry({ url: 'https://v1.example.com', active: true, revision: 1 }));
    await redis.set(cacheKey(mismatch), encodeEntry({ url: 'https://wrong.example.com', active: true, revision: 1 }));
    await redis.set(cacheKey(ahead), encodeEntry({ url: 'https://from-the-future.example.com', active: true, revision: 9 }));
    await redis.set(cacheKey(negative), encodeEntry({ url: null, active: false, revision: 1 }));
    const healthyEntry = await redis.get(cacheKey(healthy));
    // Clients see the damage (the API's in-process tier was told to drop these routes by their writes).
    expect(await resolved(mismatch)).toEqual([200, 'https://wrong.example.com', 1]);
    expect(await resolved(negative)).toEqual([404, undefined, undefined]);
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the grace: the stale entry is drift now

    // Start the pass at this suite's routes; the consumers' groups start at the topic's end, so only
    // the reconciler can repair anything.
    const { rows } = await db.query(
      `SELECT min(e.id)::int AS first FROM endpoints e JOIN environments env ON env.id = e.environment_id
       JOIN services s ON s.id = env.service_id JOIN tenants t ON t.id = s.tenant_id WHERE t.name = $1`,
      [tenant],
    );
    await redis.set(RECONCILE_CURSOR_KEY, String(rows[0].first - 1));
    const prefix = groupPrefix('reconcile');
    await startGroupsAtEnd(prefix, CONSUMER_GROUP_NAMES);
    consumers = [await start(prefix), await start(prefix)];

    await eventually(async () => {
      expect(await resolved(stale)).toEqual([200, 'https://v1-new.example.com', 2]);
      expect(await resolved(mismatch)).toEqual([200, 'https://v2.example.com', 1]);
      expect(await resolved(ahead)).toEqual([200, 'https://v3.example.com', 1]);
      expect(await resolved(negative)).toEqual([200, 'https://v4.example.com', 1]);
    }, 15_000);
    expect(await redis.get(cacheKey(stale))).toBe(encodeEntry({ url: 'https://v1-new.example.com', active: true, revision: 2 }));
    expect(await redis.get(cacheKey(healthy))).toBe(healthyEntry);
    expect([await total('cache_drift_total', { kind: 'stale' }), await total('cache_drift_total', { kind: 'mismatch' })]).toEqual([1, 2]);
    expect(await total('cache_drift_total', { kind: 'ahead' })).toBe(1);
    expect(await total('cache_staleness_seconds_count')).toBe(1);
  });

  it('should walk with one process at a time, whatever the number of replicas', async () => {
    const checked = async () => Promise.all(consumers.map((consumer) => scrape(consumer.http, 'cache_reconcile_checked_total')));
    const before = await checked();
    await eventually(async () => {
      const now = await checked();
      expect(now.some((n, i) => n > before[i])).toBe(true);
    });
    const after = await checked();
    // The lease holder walks; the other has compared nothing since it started.
    expect(after.filter((n) => n > 0)).toHaveLength(1);
  });
});
