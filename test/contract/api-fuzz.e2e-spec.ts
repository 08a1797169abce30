import fc from 'fast-check';
import { HttpResult } from '../helpers/http';
import { uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

const RUNS = 200;
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);
const TRICKY = [
  '',
  ' ',
  '.',
  '..',
  '\u0000',
  '\ud800',
  '\u202e',
  '\u200b',
  'https://a.example.com',
  'http:\\\\x',
  '2026-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '0',
  '-1',
  '1e9',
  '2147483648',
  'true',
  'null',
  '[]',
  '{}',
  '%',
  '%FF',
  'YWZ0ZXI6MjE0NzQ4MzY0OA',
];

// Any text a client might send: ASCII, BMP with lone surrogates, astral planes, known edge cases.
const text = fc.oneof(fc.string(), fc.string16bits(), fc.fullUnicodeString(), fc.constantFrom(...TRICKY));
// Any JSON a body field might hold, nesting included (deeper than the 8 levels allowed).
const jsonField = fc.oneof(text, fc.unicodeJsonValue({ maxDepth: 10 }));
// Mostly valid names, so that random values in the other fields get past the name rules.
const validName = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,9}$/);
const nameField = fc.oneof({ arbitrary: validName, weight: 8 }, { arbitrary: jsonField, weight: 1 });
// URLs that look right up to a tail of characters parsers disagree on (or a store refuses).
const hostile = fc.constantFrom(
  '\u0000',
  '\u0007',
  '\u001f',
  '\u007f',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ud800',
  '\udc00',
  '\\',
  '@',
  '%',
  '#',
  '?',
  '/..',
);
const tail = fc
  .array(fc.oneof(hostile, fc.string({ maxLength: 3 }), fc.fullUnicodeString({ maxLength: 2 })), { maxLength: 5 })
  .map((parts) => parts.join(''));
const urlHead = fc.constantFrom('https://a.example.com/', 'http://10.0.0.1:8080/x?q=', 'https://b', 'http:', 'https://u@');
const urlField = fc.oneof({ arbitrary: fc.tuple(urlHead, tail).map(([head, rest]) => head + rest), weight: 4 }, { arbitrary: jsonField, weight: 1 });
const unknownKey = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ minLength: 1 }), fc.fullUnicodeString({ minLength: 1 }));

// Each body field is absent, a random JSON value, or (for tenant) a random suffix of this run's own
// prefix, so an accepted write can only ever land in this test's tenant namespace.
function bodyOf(fields: string[], prefix: string) {
  const record: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(
    fields.map((field) => [field, fc.option(field === 'url' ? urlField : nameField, { freq: 20, nil: undefined })]),
  );
  record.tenant = fc.oneof(
    { arbitrary: validName.map((suffix) => `${prefix}${suffix}`), weight: 8 },
    { arbitrary: text.map((suffix) => `${prefix}${suffix}`), weight: 1 },
    { arbitrary: jsonField.filter((v) => typeof v !== 'string'), weight: 1 },
  );
  const extras = fc.oneof({ arbitrary: fc.constant({}), weight: 4 }, { arbitrary: fc.dictionary(unknownKey, jsonField, { maxKeys: 3 }), weight: 1 });
  return fc.tuple(fc.record(record), extras).map(([known, extra]) => {
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(extra))
      Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    for (const [key, value] of Object.entries(known)) if (value !== undefined) body[key] = value;
    return body;
  });
}

// Query parameters: known ones (sometimes repeated) and random unknown ones, plus raw junk such as
// broken percent-encodings that URLSearchParams could not produce.
function queryOf(fields: string[]) {
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...fields), unknownKey), text);
  const raw = fc.constantFrom('', '&%', '&tenant=%FF', '&%E0%A4%A=1', '&a[b]=1', '&=x', '&&&');
  return fc.tuple(fc.array(pair, { maxLength: 8 }), raw).map(([pairs, junk]) => `${new URLSearchParams(pairs).toString()}${junk}`);
}

const percentBytes = fc
  .uint8Array({ minLength: 1, maxLength: 40 })
  .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));

// Property over the public API: whatever the input, the answer is never a 5xx (a store being down,
// 503 DEPENDENCY.UNAVAILABLE, is the one exception, as other suites restart stores) and every 4xx
// is JSON in the error contract.
describe('Public API under random input (property, e2e)', () => {
  let api: TestApp;
  const prefix = `${uniqueTenant('fuzz')}-`;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const expectContractAnswer = (res: HttpResult) => {
    const shown = `${res.status} ${res.text.slice(0, 300)}`;
    if (res.status >= 500) expect({ status: res.status, error: res.body?.error }).toEqual({ status: 503, error: 'DEPENDENCY.UNAVAILABLE' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (res.status >= 400) {
      expect(typeof res.body.error === 'string' && typeof res.body.message === 'string' ? 'contract' : shown).toBe('contract');
      expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
    }
  };

  const BODIES: Array<[string, string[]]> = [
    ['/api/v1/routes', ['service', 'env', 'version', 'url']],
    ['/api/v1/routes/activate', ['service', 'env', 'version']],
    ['/api/v1/routes/deactivate', ['service', 'env', 'version']],
  ];

  it.each(BODIES)('POST %s answers random bodies within the contract', async (path, fields) => {
    await fc.assert(
      fc.asyncProperty(bodyOf(fields, prefix), async (body) => {
        expectContractAnswer(await api.http.request('POST', path, JSON.stringify(body), { 'content-type': 'application/json' }));
      }),
      { numRuns: RUNS },
    );
  });

  const QUERIES: Array<[string, string[]]> = [
    ['/api/v1/routes/resolve', ['tenant', 'service', 'env', 'version']],
    ['/api/v1/routes', ['tenant', 'service', 'env', 'active', 'limit', 'cursor']],
    ['/api/v1/audit/route', ['tenant', 'service', 'env', 'version', 'limit', 'cursor']],
    ['/api/v1/audit/recent', ['days', 'tenant', 'service', 'env', 'limit', 'cursor']],
    ['/api/v1/audit/action', ['action', 'hours', 'tenant', 'service', 'env', 'limit', 'cursor']],
    ['/api/v1/audit/time-range', ['start_time', 'end_time', 'action', 'tenant', 'service', 'env', 'limit', 'cursor']],
  ];

  it.each(QUERIES)('GET %s answers random query strings within the contract', async (path, fields) => {
    await fc.assert(
      fc.asyncProperty(queryOf(fields), async (query) => {
        expectContractAnswer(await api.http.get(`${path}?${query}`));
      }),
      { numRuns: RUNS },
    );
  });

  it('GET /api/v1/routes/{tenant}/{service}/{env}/{version} answers random path bytes within the contract', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(percentBytes, fc.constantFrom('.', '..', '%2e%2e', 'a')), { minLength: 4, maxLength: 4 }),
        async (segments) => {
          expectContractAnswer(await api.http.get(`/api/v1/routes/${segments.join('/')}`));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
