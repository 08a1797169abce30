import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { within } from '../helpers/deadline';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// One write slot and no queue. A write held inside PostgreSQL (its route's row locked by another
// session) fills the writes bulkhead; the next write is refused at once, resolves are not affected,
// and writes are accepted again as soon as the held one finishes.
describe('A saturated bulkhead (e2e)', () => {
  let api: TestApp;
  let db: Client;

  beforeAll(async () => {
    // The held write must outlive the test's wait, not hit the statement timeout.
    api = await startApi({ BULKHEAD_WRITES_CONCURRENCY: '1', BULKHEAD_WRITES_QUEUE: '0', DB_STATEMENT_TIMEOUT_MS: '60000' });
    db = await connectDb();
  });

  afterAll(async () => {
    await db?.query('ROLLBACK').catch(() => undefined);
    await db?.end();
    await api?.close();
  });

  const writesInUse = async () => (await api.http.get('/health/resilience')).body.bulkheads.writes.current_usage;

  it('should refuse writes at once with 503 SERVICE.OVERLOADED and Retry-After while full, and accept them again when the load drops', async () => {
    const tenant = uniqueTenant('bulkhead');
    const held = routeOf(tenant, 'held');
    const url = `https://${tenant}.example.com`;
    expect((await api.http.post('/api/v1/routes', { ...held, url })).status).toBe(201);
    const rejectedBefore = await scrape(api.http, 'bulkhead_rejected_total', { bulkhead: 'writes' });

    await db.query('BEGIN');
    await db.query('SELECT id FROM endpoints WHERE url = $1 FOR UPDATE', [url]);
    let heldDone = false;
    const heldWrite = api.http.post('/api/v1/routes', { ...held, url: `${url}/v2` }).finally(() => (heldDone = true));
    try {
      await eventually(async () => expect(await writesInUse()).toBe(1));

      // A bulkhead that queued instead would hold this request until the lock is gone: never.
      const refused = await within(
        30_000,
        api.http.post('/api/v1/routes', { ...routeOf(tenant, 'other'), url: 'https://other.example.com' }, { 'X-Correlation-ID': 'bulkhead-full-1' }),
        'answer while the writes bulkhead is full',
      );
      // Answered while the only slot is still taken: it did not wait for it.
      expect(heldDone).toBe(false);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(refused.body).toEqual({ error: 'SERVICE.OVERLOADED', message: expect.any(String), correlation_id: 'bulkhead-full-1' });
      expect(await scrape(api.http, 'bulkhead_rejected_total', { bulkhead: 'writes' })).toBe(rejectedBefore + 1);
      // Other operation classes have compartments of their own.
      expect((await api.http.get(resolvePath(held))).body).toMatchObject({ url, revision: 1 });
    } finally {
      await db.query('COMMIT');
    }

    expect(await heldWrite).toMatchObject({ status: 200, body: { url: `${url}/v2`, revision: 2 } });
    await eventually(async () => expect(await writesInUse()).toBe(0));
    expect((await api.http.post('/api/v1/routes', { ...routeOf(tenant, 'other'), url: 'https://other.example.com' })).status).toBe(201);
  });
});

// Per-tenant fairness on resolve's reads of PostgreSQL: two slots and one queued per tenant (20 % of a
// pool of 10). Every read of `endpoints` is held by a table lock, so tenant A's misses pile up: past
// its share and queue they are refused at once, while tenant B's miss still gets a slot of its own,
// and everything held is answered once the lock goes.
describe("One tenant's cache misses (e2e)", () => {
  let api: TestApp;
  let db: Client;

  beforeAll(async () => {
    api = await startApi({
      RESOLVE_TENANT_DB_SHARE_PERCENT: '20',
      RESOLVE_TENANT_DB_QUEUE: '1',
      DB_POOL_MAX: '10',
      DB_STATEMENT_TIMEOUT_MS: '60000',
    });
    db = await connectDb();
  });

  afterAll(async () => {
    await db?.query('ROLLBACK').catch(() => undefined);
    await db?.end();
    await api?.close();
  });

  const tenantUsage = async () => (await api.http.get('/health/resilience')).body.bulkheads.resolve_tenant;

  it("should refuse a tenant's misses beyond its share of the pool at once, and leave other tenants theirs", async () => {
    const [a, b] = [uniqueTenant('fair-a'), uniqueTenant('fair-b')];
    // Routes that do not exist: each is a miss that reads PostgreSQL (then cached as not found).
    const missOf = (tenant: string, i: number) => api.http.get(resolvePath(routeOf(tenant, `v${i}`)));
    const rejectedBefore = await scrape(api.http, 'bulkhead_rejected_total', { bulkhead: 'resolve_tenant' });

    await db.query('BEGIN');
    await db.query('LOCK TABLE endpoints IN ACCESS EXCLUSIVE MODE');
    let held: Array<Promise<{ status: number }>> = [];
    try {
      held = [1, 2, 3].map((i) => missOf(a, i));
      await eventually(async () => expect(await tenantUsage()).toMatchObject({ busiest_tenant_usage: 2, queued: 1 }));

      const refused = await within(30_000, missOf(a, 4), "answer while tenant A's share is full");
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.body).toMatchObject({ error: 'SERVICE.OVERLOADED', tenant: a });
      expect(await scrape(api.http, 'bulkhead_rejected_total', { bulkhead: 'resolve_tenant' })).toBe(rejectedBefore + 1);

      // B is not refused: its miss takes a slot of B's own (and waits for the lock like A's).
      held.push(missOf(b, 1));
      await eventually(async () => expect(await tenantUsage()).toMatchObject({ current_usage: 3, tenants: expect.any(Number) }));
    } finally {
      await db.query('COMMIT');
    }

    expect((await Promise.all(held)).map((res) => res.status)).toEqual([404, 404, 404, 404]);
    await eventually(async () => expect(await tenantUsage()).toMatchObject({ current_usage: 0, queued: 0 }));
    expect((await missOf(a, 5)).status).toBe(404);
  });
});
