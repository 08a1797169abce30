import { uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// Bad input always gets a JSON 4xx naming the problem: never HTML, never a 500, never a default.
describe('Input validation (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const valid = () => ({ tenant: uniqueTenant(), service: 'payments', env: 'prod', version: 'v1', url: 'https://a.example.com' });

  const expectJsonError = (res: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.error).toBe(code);
    expect(typeof res.body.message).toBe('string');
    expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
  };

  it.each([
    ['missing tenant', { tenant: undefined }, 'tenant', 'is required'],
    ['empty service', { service: '' }, 'service', 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"'],
    ['blank env', { env: '   ' }, 'env', 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"'],
    ['colon in tenant', { tenant: 'team:a' }, 'tenant', 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"'],
    ['space in service', { service: 'pay ments' }, 'service', 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"'],
    ['129-char version', { version: 'v'.repeat(129) }, 'version', 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"'],
    ['numeric tenant', { tenant: 42 }, 'tenant', 'must be a string'],
    ['array env', { env: ['prod'] }, 'env', 'must be a string'],
    ['javascript: url', { url: 'javascript:alert(1)' }, 'url', 'must be an absolute http:// or https:// URL'],
    ['relative url', { url: '/payments' }, 'url', 'must be an absolute http:// or https:// URL'],
    ['ftp url', { url: 'ftp://files.example.com' }, 'url', 'must be an absolute http:// or https:// URL'],
    ['url with spaces', { url: 'https://a.example.com/x y' }, 'url', 'must not contain spaces or control characters (U+0000-U+0020, U+007F-U+009F)'],
    ['2049-char url', { url: `https://a.example.com/${'x'.repeat(2027)}` }, 'url', 'must be at most 2048 characters'],
    ['null url', { url: null }, 'url', 'is required'],
    ['credentials in url', { url: 'https://user:secret@a.example.com' }, 'url', 'must not contain a user name or password'],
    ['unknown field', { owner: 'me' }, 'owner', 'is not an accepted field'],
  ])('should reject a create with %s as 400 VALIDATION.FAILED', async (_name, patch, field, problem) => {
    const res = await api.http.post('/api/v1/routes', { ...valid(), ...patch });

    expectJsonError(res, 400, 'VALIDATION.FAILED');
    expect(res.body.details).toContainEqual({ field, problem });
  });

  it('should trim names before storing them', async () => {
    const body = valid();
    const res = await api.http.post('/api/v1/routes', { ...body, tenant: `  ${body.tenant} ` });

    expect(res.status).toBe(201);
    expect(res.body.tenant).toBe(body.tenant);
  });

  it.each([
    ['a JSON array', '[1,2]', 'must be a JSON object'],
    ['JSON null', 'null', 'must be a JSON object'],
    ['a JSON string', '"tenant"', 'must be a JSON object'],
    ['5000 nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'must be a JSON object'],
    ['a deeply nested field', `{"tenant":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'must not nest deeper than 8 levels'],
  ])('should reject %s as the body with 400 VALIDATION.FAILED', async (_name, raw, problem) => {
    const res = await api.http.request('POST', '/api/v1/routes', raw, { 'content-type': 'application/json' });

    expectJsonError(res, 400, 'VALIDATION.FAILED');
    expect(res.body.details).toEqual([{ field: 'body', problem }]);
  });

  it.each([
    ['a __proto__ key', '{"__proto__":{"polluted":1},"tenant":"a"}'],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"polluted":1}}}'],
  ])('should refuse %s as malformed JSON', async (_name, raw) => {
    const res = await api.http.request('POST', '/api/v1/routes', raw, { 'content-type': 'application/json' });

    expectJsonError(res, 400, 'REQUEST.MALFORMED_JSON');
  });

  it.each([
    ['an over-long path parameter', `/api/v1/routes/${'a'.repeat(300)}/s/e/v1`, 414, 'REQUEST.URI_TOO_LONG'],
    ['a broken percent-encoding', '/api/v1/routes/%E0%A4%A/s/e/v1', 400, 'REQUEST.INVALID'],
  ])('should reject %s before routing with a JSON error', async (_name, path, status, code) => {
    expectJsonError(await api.http.get(path), status, code);
  });

  it('should reject malformed JSON with 400 REQUEST.MALFORMED_JSON', async () => {
    const res = await api.http.request('POST', '/api/v1/routes', '{"tenant": "a",', { 'content-type': 'application/json' });

    expectJsonError(res, 400, 'REQUEST.MALFORMED_JSON');
  });

  it('should reject an empty body declared as JSON with 400', async () => {
    const res = await api.http.request('POST', '/api/v1/routes', '', { 'content-type': 'application/json' });

    expectJsonError(res, 400, 'REQUEST.MALFORMED_JSON');
  });

  it.each([
    ['a form body', 'application/x-www-form-urlencoded', 'tenant=a&service=b'],
    ['a text body', 'text/plain', 'hello'],
    ['an XML body', 'application/xml', '<route/>'],
  ])('should reject %s with 415', async (_name, type, raw) => {
    const res = await api.http.request('POST', '/api/v1/routes', raw, { 'content-type': type });

    expectJsonError(res, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('should reject a 1 MB body with 413', async () => {
    const raw = JSON.stringify({ ...valid(), url: `https://a.example.com/${'x'.repeat(1024 * 1024)}` });
    const res = await api.http.request('POST', '/api/v1/routes', raw, { 'content-type': 'application/json' });

    expectJsonError(res, 413, 'REQUEST.TOO_LARGE');
  });

  it('should reject an unknown path with a JSON 404', async () => {
    expectJsonError(await api.http.get('/api/v1/nothing-here'), 404, 'HTTP.NOT_FOUND');
  });

  it('should reject a wrong method with 405 and an Allow header', async () => {
    const res = await api.http.request('DELETE', '/api/v1/routes');

    expectJsonError(res, 405, 'HTTP.METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it.each([
    ['an unknown query parameter', 'tenant=a&service=b&env=c&version=d&debug=1', 'debug'],
    ['a missing parameter', 'tenant=a&service=b&env=c', 'version'],
    ['a repeated parameter', 'tenant=a&tenant=b&service=b&env=c&version=d', 'tenant'],
    ['a colon in a name', 'tenant=a:b&service=b&env=c&version=d', 'tenant'],
  ])('should reject a resolve with %s as 400', async (_name, query, field) => {
    const res = await api.http.get(`/api/v1/routes/resolve?${query}`);

    expectJsonError(res, 400, 'VALIDATION.FAILED');
    expect(res.body.details.map((d: any) => d.field)).toContain(field);
  });

  it('should keep a sane X-Correlation-ID and replace an unsafe one', async () => {
    const kept = await api.http.get('/health/live', { 'X-Correlation-ID': 'client.id-42_x' });
    const replaced = await api.http.get('/health/live', { 'X-Correlation-ID': 'bad id\twith spaces' });
    const tooLong = await api.http.get('/health/live', { 'X-Correlation-ID': 'a'.repeat(129) });

    expect(kept.headers.get('x-correlation-id')).toBe('client.id-42_x');
    expect(replaced.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(tooLong.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
