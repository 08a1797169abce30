import { HttpResult } from '../helpers/http';
import { uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__');
const SAMPLE_UNKNOWN = ['constructor', 'toString', '__defineGetter__', 'hasOwnProperty', 'foo', 'Tenant', 'tenant ', '0'];

// One rule for every unknown key, names made only of dots refused, decoded numbers bounded by their
// column, audit years 0001-9999. Every answer is a JSON 400 naming the field.
describe('Input rules (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const key = () => ({ tenant: uniqueTenant('rules'), service: 'payments', env: 'prod', version: 'v1' });
  const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

  const expectRefused = (res: HttpResult, field: string, problem: string | RegExp) => {
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('VALIDATION.FAILED');
    expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
    expect(res.body.details).toContainEqual({ field, problem: typeof problem === 'string' ? problem : expect.stringMatching(problem) });
  };

  it.each(PROTOTYPE_NAMES)('should refuse a create body with an unknown "%s" field and store nothing', async (name) => {
    const route = key();
    const res = await api.http.request(
      'POST',
      '/api/v1/routes',
      `{${JSON.stringify(name)}:1,${JSON.stringify({ ...route, url: 'https://a.example.com' }).slice(1)}`,
      {
        'content-type': 'application/json',
      },
    );

    expectRefused(res, name, 'is not an accepted field');
    expect((await api.http.get(`/api/v1/routes/${route.tenant}/payments/prod/v1`)).status).toBe(404);
  });

  it.each(PROTOTYPE_NAMES)('should refuse a resolve with an unknown "%s" query parameter', async (name) => {
    expectRefused(await api.http.get(`/api/v1/routes/resolve?${query({ ...key(), [name]: 'x' })}`), name, 'is not an accepted field');
  });

  const ENDPOINTS: Array<[string, (extra: string) => Promise<HttpResult>]> = [
    ['POST /routes/activate', (extra) => api.http.post('/api/v1/routes/activate', { ...key(), [extra]: 'x' })],
    ['POST /routes/deactivate', (extra) => api.http.post('/api/v1/routes/deactivate', { ...key(), [extra]: [1] })],
    ['GET /routes', (extra) => api.http.get(`/api/v1/routes?${query({ tenant: 'a', [extra]: 'x' })}`)],
    ['GET /audit/route', (extra) => api.http.get(`/api/v1/audit/route?${query({ ...key(), [extra]: 'x' })}`)],
    ['GET /audit/recent', (extra) => api.http.get(`/api/v1/audit/recent?${query({ days: '1', [extra]: 'x' })}`)],
    ['GET /audit/action', (extra) => api.http.get(`/api/v1/audit/action?${query({ action: 'created', [extra]: 'x' })}`)],
    [
      'GET /audit/time-range',
      (extra) =>
        api.http.get(`/api/v1/audit/time-range?${query({ start_time: '2026-01-01T00:00:00Z', end_time: '2026-01-02T00:00:00Z', [extra]: 'x' })}`),
    ],
  ];

  describe.each(ENDPOINTS)('%s', (_name, send) => {
    it.each(SAMPLE_UNKNOWN)('should refuse an unknown "%s" key', async (extra) => {
      expectRefused(await send(extra), extra, 'is not an accepted field');
    });
  });

  it('should refuse a __proto__ query parameter like any other unknown key', async () => {
    expectRefused(await api.http.get(`/api/v1/routes/resolve?${query(key())}&__proto__=x`), '__proto__', 'is not an accepted field');
  });

  it('should name the unknown key and the invalid known fields in one answer', async () => {
    const res = await api.http.post('/api/v1/routes', { ...key(), tenant: 'a:b', url: 'ftp://x', valueOf: 1 });

    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['tenant', 'url', 'valueOf']);
  });

  it.each(['.', '..', '...', ' .. ', '.'.repeat(128)])('should refuse the name %j for every name field', async (name) => {
    for (const field of ['tenant', 'service', 'env', 'version'] as const) {
      const res = await api.http.post('/api/v1/routes', { ...key(), [field]: name, url: 'https://a.example.com' });
      expectRefused(res, field, 'must not consist of dots only');
    }
    expectRefused(await api.http.get(`/api/v1/routes/resolve?${query({ ...key(), env: name })}`), 'env', 'must not consist of dots only');
  });

  it.each(['.a', 'a.', 'v1.2', '..a..', '_', '-'])('should still accept the name %j', async (name) => {
    const res = await api.http.post('/api/v1/routes', { ...key(), version: name, url: 'https://a.example.com' });

    expect(res.status).toBe(201);
  });

  const cursor = (text: string) => Buffer.from(text).toString('base64url');

  it.each([
    ['one past int4', cursor('after:2147483648')],
    ['the int8 maximum', cursor('after:9223372036854775807')],
    ['fifteen digits', cursor('after:999999999999999')],
    ['a leading zero', cursor('after:01')],
    ['base64 with padding', Buffer.from('after:5').toString('base64')],
  ])('should refuse a route-list cursor with %s', async (_name, value) => {
    expectRefused(await api.http.get(`/api/v1/routes?cursor=${encodeURIComponent(value)}`), 'cursor', 'is not a cursor returned by this API');
  });

  it('should accept the largest id the column can hold as a cursor', async () => {
    const res = await api.http.get(`/api/v1/routes?cursor=${cursor('after:2147483647')}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ routes: [], next_cursor: null });
  });

  it.each([
    ['year 0000', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'start_time'],
    ['an offset past year 9999', '2026-01-01T00:00:00Z', '9999-12-31T23:30:00-01:00', 'end_time'],
    ['an offset before year 0001', '0001-01-01T00:00:00+00:01', '2026-01-01T00:00:00Z', 'start_time'],
    ['an extended year', '+010000-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'start_time'],
    ['a negative extended year', '-000001-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'start_time'],
  ])('should refuse an audit time range with %s', async (_name, start, end, field) => {
    const res = await api.http.get(`/api/v1/audit/time-range?${query({ start_time: start, end_time: end })}`);

    expectRefused(res, field, /years 0001-9999/);
  });
});
