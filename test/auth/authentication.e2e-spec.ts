import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { eventually } from '../helpers/eventually';
import { HttpResult, resolvePath, TEST_ADMIN_KEY } from '../helpers/http';
import { createKey } from '../helpers/keys';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

function expectUnauthenticated(res: HttpResult) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(res.body).toEqual({ error: 'AUTH.UNAUTHENTICATED', message: expect.any(String), correlation_id: res.headers.get('x-correlation-id') });
}

// A key that looks right but names no row, and one that names a real row with another secret.
const madeUp = () => `tm_${'0'.repeat(24)}${Date.now().toString(16).padStart(8, '0').slice(-8)}_${'A'.repeat(43)}`;
const wrongSecret = (key: string) => `${key.slice(0, -43)}${key.endsWith('A'.repeat(43)) ? 'B' : 'A'}${'A'.repeat(42)}`;

// Every way of not presenting a valid key is a quick 401 in the error contract, on every kind of
// endpoint, and no key ever reaches the log; /health stays open, /metrics and /docs are configurable.
describe('Authentication (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  // One call of each kind (resolve, list, write, audit, key management), with the given headers only.
  const calls = (tenant: string): Array<(headers: Record<string, string>) => Promise<HttpResult>> => {
    const anonymous = api.http.as(null);
    return [
      (headers) => anonymous.get(resolvePath(routeOf(tenant)), headers),
      (headers) => anonymous.get(`/api/v1/routes?tenant=${tenant}`, headers),
      (headers) => anonymous.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://a.example.com' }, headers),
      (headers) => anonymous.get(`/api/v1/audit/recent?days=1&tenant=${tenant}`, headers),
      (headers) => anonymous.get('/api/v1/keys', headers),
    ];
  };

  it('should answer every way of not sending a valid key with 401 on every kind of endpoint', async () => {
    const tenant = uniqueTenant('unauth');
    const real = await createKey(api.http, { tenant, role: 'admin' });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer garbage' },
      { 'x-api-key': 'garbage' },
      { authorization: `Bearer ${'A'.repeat(4096)}` },
      { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_KEY}`).toString('base64')}` },
      { authorization: `Bearer ${madeUp()}` },
      { authorization: `Bearer ${wrongSecret(real.key)}` },
      { 'x-api-key': `${TEST_ADMIN_KEY}x` },
    ];
    for (const headers of attempts) {
      for (const call of calls(tenant)) expectUnauthenticated(await call(headers));
    }
    for (const call of calls(tenant)) expect((await call({ authorization: `Bearer ${real.key}` })).status).not.toBe(401);
  });

  it('should refuse an expired key, checked on every request from the key it holds', async () => {
    const tenant = uniqueTenant('expiry');
    const before = await scrape(api.http, 'auth_failures_total', { reason: 'expired' });
    const key = await createKey(api.http, { tenant, role: 'reader', expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await key.client.get(`/api/v1/routes?tenant=${tenant}`)).status).toBe(200);

    await eventually(async () => expectUnauthenticated(await key.client.get(`/api/v1/routes?tenant=${tenant}`)), 10_000);
    expectUnauthenticated(await key.client.get(resolvePath(routeOf(tenant))));
    expect(await scrape(api.http, 'auth_failures_total', { reason: 'expired' })).toBeGreaterThanOrEqual(before + 2);
  });

  it('should count refusals by reason', async () => {
    const tenant = uniqueTenant('count');
    const reader = await createKey(api.http, { tenant, role: 'reader' });
    const count = (reason: string) => scrape(api.http, 'auth_failures_total', { reason });
    const before = await Promise.all(['missing', 'malformed', 'unknown', 'forbidden'].map(count));

    await api.http.as(null).get('/api/v1/keys');
    await api.http.as('garbage').get('/api/v1/keys');
    await api.http.as(madeUp()).get('/api/v1/keys');
    await reader.client.get('/api/v1/keys');

    expect(await Promise.all(['missing', 'malformed', 'unknown', 'forbidden'].map(count))).toEqual(before.map((n) => n + 1));
  });

  it('should answer a route of another tenant exactly as a missing one, without asking any cache', async () => {
    const [mine, theirs] = [uniqueTenant('scope-a'), uniqueTenant('scope-b')];
    await api.http.post('/api/v1/routes', { ...routeOf(theirs), url: 'https://theirs.example.com' });
    expect((await api.http.get(resolvePath(routeOf(theirs)))).status).toBe(200);
    const reader = await createKey(api.http, { tenant: mine, role: 'reader' });
    const resolves = await scrape(api.http, 'resolve_requests_total');

    const foreign = await reader.client.get(resolvePath(routeOf(theirs)));
    const missing = await api.http.get(resolvePath(routeOf(uniqueTenant('nowhere'))));

    expect(foreign.status).toBe(404);
    const shape = ({ correlation_id, tenant, message, ...rest }: Record<string, string>) => ({
      ...rest,
      correlation_id: typeof correlation_id,
      message: message.replace(tenant, '<t>'),
      tenant: typeof tenant,
    });
    expect(shape(foreign.body)).toEqual(shape(missing.body));
    expect(foreign.body).toMatchObject({ tenant: theirs, service: 'payments', env: 'prod', version: 'v1', error: 'ROUTE.NOT_FOUND' });
    // One resolve reached the tiers (the missing route); the foreign one did not.
    expect(await scrape(api.http, 'resolve_requests_total')).toBe(resolves + 1);
  });

  it('should keep /health open, and /metrics and /docs closed outside development', async () => {
    const tenant = uniqueTenant('ops');
    const tenantReader = await createKey(api.http, { tenant, role: 'reader' });
    const platformReader = await createKey(api.http, { tenant: '*', role: 'reader' });
    const anonymous = api.http.as(null);

    for (const path of ['/health', '/health/live', '/health/resilience']) expect((await anonymous.get(path)).status).toBe(200);
    expect([200, 503]).toContain((await api.http.as('garbage').get('/health/ready')).status);
    expectUnauthenticated(await anonymous.get('/metrics'));
    expect((await tenantReader.client.get('/metrics')).status).toBe(403);
    expect((await platformReader.client.get('/metrics')).text).toContain('auth_failures_total');
    expectUnauthenticated(await anonymous.get('/docs/openapi.json'));
    expectUnauthenticated(await anonymous.get('/docs'));
    expect((await tenantReader.client.get('/docs/openapi.json')).body.paths['/api/v1/keys']).toBeDefined();
  });

  it('should open /metrics and /docs when configured so', async () => {
    const open = await startApi({ METRICS_AUTH: 'open', DOCS_AUTH: 'open' });
    try {
      const anonymous = open.http.as(null);
      expect((await anonymous.get('/metrics')).status).toBe(200);
      expect((await anonymous.get('/docs/openapi.json')).status).toBe(200);
      expectUnauthenticated(await anonymous.get('/api/v1/routes'));
    } finally {
      await open.close();
    }
  });
});

// Its own app at debug level, so that every request writes its line and the check has something to
// look at; its output goes to the spy only.
describe('Authentication and the log (e2e)', () => {
  let api: TestApp;
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    api = await startApi({ LOG_LEVEL: 'DEBUG' });
    const stream = (PinoLogger.root as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym];
    spy = jest.spyOn(stream, 'write').mockImplementation(() => true);
  });

  afterAll(async () => {
    await api.close();
    spy.mockRestore();
  });

  it('should write no key to the log, whatever the outcome', async () => {
    const tenant = uniqueTenant('log');
    const writer = await createKey(api.http, { tenant, role: 'writer' });
    const revoked = await createKey(api.http, { tenant, role: 'reader' });
    await api.http.delete(`/api/v1/keys/${revoked.id}`);
    const statuses = [
      await api.http.get(`/api/v1/routes?tenant=${tenant}`, { 'x-correlation-id': 'log-check-1' }),
      await writer.client.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://a.example.com' }, { 'x-correlation-id': 'log-check-2' }),
      await revoked.client.get(resolvePath(routeOf(tenant)), { 'x-correlation-id': 'log-check-3' }),
      await api.http.as('A'.repeat(4096)).post('/api/v1/routes', {}, { 'x-correlation-id': 'log-check-4' }),
      await api.http.get('/api/v1/keys', { 'x-correlation-id': 'log-check-5', 'x-api-key': madeUp() }),
    ].map((res) => res.status);
    const created = await api.http.post('/api/v1/keys', { name: 'logged', tenant, role: 'reader' }, { 'x-correlation-id': 'log-check-6' });
    expect([...statuses, created.status]).toEqual([200, 201, 401, 401, 401, 201]);

    const lines = () => spy.mock.calls.map((call) => String(call[0]));
    // Positive control: each request did write its line.
    await eventually(() => {
      for (let i = 1; i <= 6; i++) expect(lines().some((line) => line.includes(`log-check-${i}`))).toBe(true);
    }, 5000);
    const text = lines().join('\n');
    for (const secret of [TEST_ADMIN_KEY, writer.key, revoked.key, created.body.key, created.body.key.slice(-43), 'A'.repeat(64)]) {
      expect(text).not.toContain(secret);
    }
  });
});
