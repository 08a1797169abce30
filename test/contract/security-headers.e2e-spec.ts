import { HttpResult, resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { rawExchange } from '../helpers/raw-http';
import { startApi, TestApp } from '../helpers/test-app';

// /docs open, as a browser loads Swagger UI and its assets without a key.
const DOCS_OPEN = { DOCS_AUTH: 'open' };
const ALLOWED = 'https://app.example.com';

// What a JSON answer must carry (helmet with a CSP that allows nothing), and what only a document
// (Swagger UI) needs.
const API_HEADERS = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};
const DOCUMENT_ONLY = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options'];

function headersOf(res: HttpResult, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, res.headers.get(name)]));
}

function expectApiHeaders(res: HttpResult): void {
  expect(headersOf(res, Object.keys(API_HEADERS))).toEqual(API_HEADERS);
  expect(headersOf(res, DOCUMENT_ONLY)).toEqual(Object.fromEntries(DOCUMENT_ONLY.map((name) => [name, null])));
}

// Directives of a Content-Security-Policy value, e.g. { 'script-src': ["'self'"] }.
function directives(csp: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

describe('Security headers (e2e)', () => {
  let api: TestApp;
  let port: number;

  beforeAll(async () => {
    api = await startApi(DOCS_OPEN);
    port = (api.app.getHttpServer().address() as { port: number }).port;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('should give every kind of API answer the API set, errors and resolve included', async () => {
    const route = routeOf(uniqueTenant('headers'));
    const created = await api.http.post('/api/v1/routes', { ...route, url: 'https://headers.example.com' });
    const answers: Array<[string, HttpResult, number]> = [
      ['create', created, 201],
      ['resolve', await api.http.get(resolvePath(route)), 200],
      ['resolve, not found', await api.http.get(resolvePath(routeOf(uniqueTenant('none')))), 404],
      ['resolve, invalid', await api.http.get('/api/v1/routes/resolve?tenant=a'), 400],
      ['resolve, no key', await api.http.as(null).get(resolvePath(route)), 401],
      ['list', await api.http.get(`/api/v1/routes?tenant=${route.tenant}`), 200],
      ['malformed JSON', await api.http.request('POST', '/api/v1/routes', '{', { 'content-type': 'application/json' }), 400],
      ['unknown path', await api.http.get('/api/v1/nothing-here'), 404],
      ['wrong method', await api.http.request('DELETE', '/api/v1/routes'), 405],
      ['undecodable URL (rejected before routing)', await api.http.get('/api/v1/routes/%E0%A4%A'), 400],
      ['over-long path parameter (rejected before routing)', await api.http.get(`/api/v1/routes/${'a'.repeat(300)}/s/e/v`), 414],
      ['health', await api.http.get('/health/live'), 200],
      ['metrics', await api.http.get('/metrics'), 200],
    ];

    for (const [name, res, status] of answers) {
      expect([name, res.status]).toEqual([name, status]);
      expectApiHeaders(res);
    }
  });

  it('should give the API set to answers Node writes itself (malformed framing)', async () => {
    const raw = await rawExchange(port, 'GET /health/live HTTP/1.1\r\nHost: t\r\nBroken header\r\n\r\n');

    expect(raw.status).toBe(400);
    for (const [name, value] of Object.entries(API_HEADERS)) expect([name, raw.headers[name]]).toEqual([name, value]);
  });

  it('should serve Swagger UI with the document set, and only assets that set allows', async () => {
    const browser = api.http.as(null);
    const page = await browser.get('/docs');

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(headersOf(page, ['x-content-type-options', 'x-frame-options', 'cross-origin-opener-policy'])).toEqual({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'cross-origin-opener-policy': 'same-origin',
    });
    const csp = directives(page.headers.get('content-security-policy'));
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['script-src-attr']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);
    // Served over plain HTTP behind the load balancer: the browser must not rewrite asset URLs to https.
    expect(csp['upgrade-insecure-requests']).toBeUndefined();

    // script-src 'self': every script is a same-origin file, none inline, no inline handlers.
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, content] of scripts) {
      expect(attributes).toMatch(/\bsrc="[^"]+"/);
      expect(content.trim()).toBe('');
    }
    expect(page.text).not.toMatch(/\son[a-z]+\s*=/i);
    const assets = [...page.text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map(([, url]) => new URL(url, `${api.http.baseUrl}/docs`));
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.origin).toBe(api.http.baseUrl);
      const res = await browser.get(asset.pathname);
      expect([asset.pathname, res.status]).toEqual([asset.pathname, 200]);
      expect(res.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
    }

    // The document itself, as JSON with the API set.
    const document = await browser.get('/docs/openapi.json');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toMatch(/^3\./);
  });
});

describe('CORS (e2e)', () => {
  const preflight = (api: TestApp, origin: string, method = 'POST', headers = 'authorization,content-type') =>
    api.http.request('OPTIONS', '/api/v1/routes', undefined, {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': headers,
    });
  const corsHeaders = (res: HttpResult) => [...res.headers.keys()].filter((name) => name.startsWith('access-control-'));

  describe('with CORS_ORIGINS set', () => {
    let api: TestApp;

    beforeAll(async () => {
      api = await startApi({ CORS_ORIGINS: `${ALLOWED},https://admin.example.com`, CORS_MAX_AGE_SECONDS: '120' });
    });

    afterAll(async () => {
      await api?.close();
    });

    it('should answer a preflight from an allowed origin with the allowed methods and headers, keys included', async () => {
      const res = await preflight(api, ALLOWED, 'POST', 'x-api-key,content-type,x-correlation-id');

      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(res.headers.get('access-control-allow-methods')?.split(/,\s*/)).toEqual(expect.arrayContaining(['GET', 'POST']));
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/)).toEqual(
        expect.arrayContaining([
          'authorization',
          'x-api-key',
          'content-type',
          'x-correlation-id',
          'if-match',
          'if-none-match',
          'x-min-revision',
          'prefer',
        ]),
      );
      expect(res.headers.get('access-control-max-age')).toBe('120');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('x-correlation-id')).toBeTruthy();
    });

    it('should let an allowed origin read the answer and its rate-limit and correlation headers', async () => {
      const res = await api.http.get(`/api/v1/routes?tenant=${uniqueTenant('cors')}`, { origin: ALLOWED });

      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(res.headers.get('access-control-expose-headers')?.toLowerCase().split(/,\s*/)).toEqual(
        expect.arrayContaining([
          'x-correlation-id',
          'retry-after',
          'etag',
          'preference-applied',
          'x-ratelimit-limit',
          'x-ratelimit-remaining',
          'x-ratelimit-reset',
        ]),
      );
    });

    it('should give an origin that is not listed no CORS headers at all', async () => {
      const refusedPreflight = await preflight(api, 'https://evil.example.com');
      const refusedRead = await api.http.get(`/api/v1/routes?tenant=${uniqueTenant('cors')}`, {
        origin: 'https://app.example.com.evil.net',
      });

      expect(corsHeaders(refusedPreflight)).toEqual([]);
      expect(corsHeaders(refusedRead)).toEqual([]);
      expect(refusedRead.status).toBe(200);
    });

    it('should answer an OPTIONS request that is not a preflight with the JSON 405', async () => {
      const res = await api.http.request('OPTIONS', '/api/v1/routes', undefined, { origin: ALLOWED });

      expect(res.status).toBe(405);
      expect(res.body).toMatchObject({ error: 'HTTP.METHOD_NOT_ALLOWED' });
      expect(res.headers.get('allow')).toContain('GET');
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  describe('with CORS_ORIGINS unset', () => {
    let api: TestApp;

    beforeAll(async () => {
      api = await startApi();
    });

    afterAll(async () => {
      await api?.close();
    });

    it('should send no CORS headers, not even to a preflight', async () => {
      const res = await preflight(api, ALLOWED);
      const read = await api.http.get(`/api/v1/routes?tenant=${uniqueTenant('cors')}`, { origin: ALLOWED });

      expect(res.status).toBe(405);
      expect(corsHeaders(res)).toEqual([]);
      expect(read.status).toBe(200);
      expect(corsHeaders(read)).toEqual([]);
      expect(read.headers.get('vary')).toBeNull();
    });
  });
});
