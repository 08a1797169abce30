import { eventually } from '../helpers/eventually';
import { HttpResult, resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivateRedis } from '../helpers/private-redis';
import { startApi, TestApp } from '../helpers/test-app';

const READS = 5;
const WRITES = 4;
// Overridden for one tenant only; both differ from the defaults so either mix-up shows.
const VIP_READS = 8;
const VIP_WRITES = 7;
const vip = uniqueTenant('rl-vip');

const LIMITS = {
  RATE_LIMIT_WINDOW_MS: '60000',
  RATE_LIMIT_READS: String(READS),
  RATE_LIMIT_WRITES: String(WRITES),
  RATE_LIMIT_TENANT_OVERRIDES: `${vip}:writes=${VIP_WRITES},${vip}:reads=${VIP_READS}`,
};

// With the bootstrap platform-admin key unless another key (or null: none) is given.
const client = (app: TestApp, key?: string | null) => (key === undefined ? app.http : app.http.as(key));
const write = (app: TestApp, tenant: string, version: string, key?: string | null) =>
  client(app, key).post('/api/v1/routes', { ...routeOf(tenant, version), url: `https://${version}.example.com` });
const resolve = (app: TestApp, tenant: string, key?: string | null) => client(app, key).get(resolvePath(routeOf(tenant)));
const list = (app: TestApp, tenant: string) => app.http.get(`/api/v1/routes?tenant=${tenant}`);

async function tenantKey(app: TestApp, tenant: string, role: string): Promise<string> {
  const res = await app.http.post('/api/v1/keys', { name: `rate-limit-${role}`, tenant, role });
  expect(res.status).toBe(201);
  return res.body.key;
}

function limitHeaders(res: HttpResult) {
  return {
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: res.headers.get('x-ratelimit-remaining'),
    reset: Number(res.headers.get('x-ratelimit-reset')),
  };
}

function expectRateLimited(res: HttpResult, limit: number, windowSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: 'REQUEST.RATE_LIMITED', message: expect.any(String), correlation_id: res.headers.get('x-correlation-id') });
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  const headers = limitHeaders(res);
  expect(headers).toEqual({ limit: String(limit), remaining: '0', reset: expect.any(Number) });
  expect(headers.reset).toBeGreaterThanOrEqual(1);
  expect(headers.reset).toBeLessThanOrEqual(windowSeconds);
}

describe('Per-tenant rate limits (e2e)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startApi(LIMITS);
    b = await startApi({ ...LIMITS, OUTBOX_RELAY_ENABLED: 'false' });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('should hold the write limit across two instances sharing Redis, with the limit on every answer', async () => {
    const tenant = uniqueTenant('rl-writes');
    const accepted: HttpResult[] = [];
    for (let i = 0; i < WRITES; i++) accepted.push(await write(i % 2 === 0 ? a : b, tenant, `v${i}`));

    const refusedOnA = await write(a, tenant, 'v-late');
    const refusedOnB = await write(b, tenant, 'v-later');
    const otherTenant = await write(b, uniqueTenant('rl-other'), 'v1');

    expect(accepted.map((res) => res.status)).toEqual(Array(WRITES).fill(201));
    expect(accepted.map((res) => limitHeaders(res).remaining)).toEqual(['3', '2', '1', '0']);
    expect(accepted.map((res) => limitHeaders(res).limit)).toEqual(Array(WRITES).fill(String(WRITES)));
    expectRateLimited(refusedOnA, WRITES, 60);
    expectRateLimited(refusedOnB, WRITES, 60);
    expect(refusedOnA.body.message).toContain(tenant);
    expect(otherTenant.status).toBe(201);
    expect((await list(a, tenant)).body.count).toBe(WRITES);
  });

  it("should apply a tenant's override to that tenant only", async () => {
    const other = uniqueTenant('rl-default');
    const vipStatuses: number[] = [];
    const otherStatuses: number[] = [];
    for (let i = 0; i <= VIP_WRITES; i++) {
      vipStatuses.push((await write(i % 2 === 0 ? a : b, vip, `w${i}`)).status);
      otherStatuses.push((await write(i % 2 === 0 ? a : b, other, `w${i}`)).status);
    }
    const vipReads: number[] = [];
    for (let i = 0; i <= VIP_READS; i++) vipReads.push((await resolve(a, vip)).status);

    expect(vipStatuses).toEqual([...Array(VIP_WRITES).fill(201), 429]);
    expect(otherStatuses).toEqual([...Array(WRITES).fill(201), ...Array(VIP_WRITES - WRITES + 1).fill(429)]);
    expect(vipReads.filter((status) => status !== 429)).toHaveLength(VIP_READS);
    expect(vipReads[VIP_READS]).toBe(429);
  });

  it('should limit reads per instance, resolve and the Nest read routes spending one budget', async () => {
    const tenant = uniqueTenant('rl-reads');
    const limitedBefore = await scrape(a.http, 'rate_limited_total', { class: 'reads' });
    const resolves: HttpResult[] = [];
    for (let i = 0; i < READS - 1; i++) resolves.push(await resolve(a, tenant));
    const listing = await list(a, tenant);

    const refusedResolve = await resolve(a, tenant);
    const refusedListing = await list(a, tenant);
    const onOtherInstance = await resolve(b, tenant);

    // Resolve's successful answers stay as lean as before (docs/design.md): no limit headers.
    expect(resolves.map((res) => res.status)).toEqual(Array(READS - 1).fill(404));
    expect(resolves[0].headers.get('x-ratelimit-limit')).toBeNull();
    expect(listing.status).toBe(200);
    expect(limitHeaders(listing)).toMatchObject({ limit: String(READS), remaining: '0' });
    expectRateLimited(refusedResolve, READS, 60);
    expectRateLimited(refusedListing, READS, 60);
    expect(onOtherInstance.status).toBe(404);
    expect(await scrape(a.http, 'rate_limited_total', { class: 'reads' })).toBe(limitedBefore + 2);
  });

  it("should not let requests that fail authentication spend a tenant's budget", async () => {
    const tenant = uniqueTenant('rl-unauth');
    for (let i = 0; i <= WRITES; i++) {
      expect((await write(a, tenant, `x${i}`, 'not-a-key')).status).toBe(401);
      expect((await resolve(a, tenant, null)).status).toBe(401);
    }

    const written = await write(a, tenant, 'v1');
    const resolved = await resolve(a, tenant);

    expect(written.status).toBe(201);
    expect(limitHeaders(written).remaining).toBe(String(WRITES - 1));
    expect(resolved.status).toBe(200);
  });

  it('should spend the write budget after the role check and before validation, for every write route', async () => {
    const tenant = uniqueTenant('rl-order');
    const reader = await tenantKey(a, tenant, 'reader');
    const spent: Array<string | null> = [];
    for (const path of ['/api/v1/routes', '/api/v1/routes/activate', '/api/v1/routes/deactivate']) {
      // A key without the writer role is refused before the limit is asked: no budget spent, no headers.
      const forbidden = await a.http.as(reader).post(path, { ...routeOf(tenant, 'v1'), url: 'https://v1.example.com' });
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('x-ratelimit-remaining')).toBeNull();
      // An invalid body from a writer has spent one write (the limit protects the validation too).
      const invalid = await a.http.post(path, { tenant, service: '..' });
      expect(invalid.status).toBe(400);
      spent.push(invalid.headers.get('x-ratelimit-remaining'));
    }

    // The reader key's creation was the tenant's first write; then one per invalid body.
    expect(spent).toEqual([String(WRITES - 2), String(WRITES - 3), String(WRITES - 4)]);
    expectRateLimited(await write(b, tenant, 'v1'), WRITES, 60);
  });

  it("should count a tenant key's requests against its own tenant, whatever tenant they address", async () => {
    const mine = uniqueTenant('rl-mine');
    const victim = uniqueTenant('rl-victim');
    // Creating the key is a write addressed to its tenant: the first of that tenant's budget.
    const writer = await tenantKey(a, mine, 'writer');

    const probes: number[] = [];
    for (let i = 1; i < WRITES; i++) probes.push((await write(i % 2 === 0 ? a : b, victim, `v${i}`, writer)).status);
    const ownWrite = await write(b, mine, 'v1', writer);
    const victimWrite = await write(a, victim, 'v1');

    // Another tenant's routes do not exist for this key (404), and the attempts spent its own budget.
    expect(probes).toEqual(Array(WRITES - 1).fill(404));
    expectRateLimited(ownWrite, WRITES, 60);
    expect(victimWrite.status).toBe(201);
    expect(limitHeaders(victimWrite).remaining).toBe(String(WRITES - 1));
  });

  it('should not limit health probes, metrics or the documentation', async () => {
    const tenant = uniqueTenant('rl-ops');
    for (let i = 0; i <= READS; i++) await resolve(a, tenant);

    for (let i = 0; i <= READS; i++) {
      expect((await a.http.get('/health/live')).status).toBe(200);
      expect((await a.http.get('/metrics')).status).toBe(200);
      expect((await a.http.get('/docs/openapi.json')).status).toBe(200);
    }
  });
});

describe('Rate limit windows (e2e)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApi({ RATE_LIMIT_WINDOW_MS: '1000', RATE_LIMIT_READS: '2', RATE_LIMIT_WRITES: '2' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should let a tenant in again once its window has passed', async () => {
    const tenant = uniqueTenant('rl-window');
    let reads: number[] = [];
    let writes: number[] = [];
    // The three requests of a class could straddle the end of a window; then they are tried again.
    await eventually(async () => {
      reads = [(await resolve(app, tenant)).status, (await resolve(app, tenant)).status, (await resolve(app, tenant)).status];
      writes = [(await write(app, tenant, 'v1')).status, (await write(app, tenant, 'v2')).status, (await write(app, tenant, 'v3')).status];
      expect(reads[2]).toBe(429);
      expect(writes[2]).toBe(429);
    }, 10_000);

    await eventually(async () => expect((await resolve(app, tenant)).status).toBe(200), 5_000);
    await eventually(async () => expect((await write(app, tenant, 'v4')).status).toBe(201), 5_000);
  });
});

describe('Write limits with Redis down (e2e)', () => {
  let redis: PrivateRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    app = await startApi({ REDIS_PORT: String(redis.port), RATE_LIMIT_WRITES: '2' });
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('should let writes through while Redis is down, counting them, and limit again when it is back', async () => {
    const tenant = uniqueTenant('rl-redis');
    await redis.stop();
    const failuresBefore = await scrape(app.http, 'rate_limit_store_failures_total');

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await write(app, tenant, `v${i}`)).status);

    expect(statuses).toEqual([201, 201, 201, 201]);
    expect(await scrape(app.http, 'rate_limit_store_failures_total')).toBeGreaterThanOrEqual(failuresBefore + 4);

    await redis.start();
    const again = uniqueTenant('rl-redis-back');
    await eventually(
      async () => {
        const res = await write(app, again, `v${Date.now()}`);
        expect(res.status).toBe(429);
      },
      20_000,
      200,
    );
  });
});
