import { HttpResult } from '../helpers/http';
import { uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// An endpoint URL is stored only when every mainstream parser reads it the same, i.e. when it is
// already canonical; anything else is a 400 naming the problem, and nothing is stored or rewritten.
describe('Endpoint URL acceptance (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const route = () => ({ tenant: uniqueTenant('url'), service: 'payments', env: 'prod', version: 'v1' });

  const expectUrlRefused = (res: HttpResult, problem: RegExp) => {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.error).toBe('VALIDATION.FAILED');
    expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
    expect(res.body.details).toEqual([{ field: 'url', problem: expect.stringMatching(problem) }]);
  };

  const CLASSES: Array<[string, RegExp, string[]]> = [
    [
      'control characters',
      /control characters/,
      ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0085', '\u00a0'].map((c) => `http://a.example.com/x${c}y`),
    ],
    [
      'bidi controls',
      /invisible/,
      ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e'].map((c) => `https://a.example.com/${c}x`),
    ],
    [
      'zero-width characters in the host',
      /invisible/,
      ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'].map((c) => `https://pay${c}ments.example.com/`),
    ],
    ['lone surrogates', /unpaired surrogate/, ['\ud800', '\udbff', '\udc00', '\udfff'].map((c) => `https://a.example.com/${c}`)],
    [
      'backslashes',
      /backslash/,
      ['http://good.example.com\\@evil.example.com/', 'http:\\\\evil.example.com', 'https:/\\evil.example.com', 'https://a.example.com\\x'],
    ],
    [
      'a missing "//"',
      /http:\/\/.*lower case/,
      ['http:evil.example.com', 'https:evil.example.com/x', 'http:/evil.example.com', 'HTTP://a.example.com'],
    ],
    ['an empty authority', /host after/, ['http:///evil.example.com/x', 'https:////a.example.com', 'http://?x', 'https://:443/']],
    [
      'credentials',
      /user name or password/,
      ['https://user:pw@a.example.com', 'https://user@a.example.com', 'https://:pw@a.example.com', 'http://a@b@c.example.com'],
    ],
    [
      'hosts that are not canonical',
      /host/,
      [
        'https://A.example.com',
        'https://a..example.com',
        'https://a.example.com.',
        'https://xn--a.example',
        'https://faß.example',
        'https://Bücher.example',
      ],
    ],
    [
      'IP addresses in shorthand',
      /canonical form/,
      ['http://127.1/', 'http://0x7f.0.0.1/', 'http://2130706433/', 'http://010.0.0.1/', 'http://[0:0:0:0:0:0:0:1]/'],
    ],
    [
      'characters that need percent-encoding',
      /percent-encode/,
      ['https://a.example.com/é', 'https://a.example.com/<x>', 'https://a.example.com/"x"', 'https://a.example.com/%zz', 'https://a.example.com/x^y'],
    ],
    [
      'dot segments',
      /dot|"\."/,
      ['https://a.example.com/a/../b', 'https://a.example.com/./b', 'https://a.example.com/%2e%2E/b', 'https://a.example.com/a/.'],
    ],
  ];

  describe.each(CLASSES)('with %s', (_name, problem, urls) => {
    it.each(urls.map((url) => [JSON.stringify(url), url]))('should refuse %s on create', async (_shown, url) => {
      expectUrlRefused(await api.http.post('/api/v1/routes', { ...route(), url }), problem);
    });
  });

  it.each(['http://a.example.com/x\u0000y', 'https://a.example.com/\u202e', 'http:\\\\evil.example.com', 'https://a.example.com/\ud800'])(
    'should refuse %j as the new URL of an existing route and keep the old one',
    async (url) => {
      const key = route();
      await api.http.post('/api/v1/routes', { ...key, url: 'https://old.example.com' });

      expectUrlRefused(await api.http.post('/api/v1/routes', { ...key, url }), /./);
      const stored = await api.http.get(`/api/v1/routes/${key.tenant}/${key.service}/${key.env}/${key.version}`);
      expect(stored.body).toMatchObject({ url: 'https://old.example.com', revision: 1 });
    },
  );

  it.each([
    'https://payments-v2.internal.example.com',
    'http://10.0.0.1:8080/path?q=1&r=a%20b',
    'https://svc_1.internal:8443/a/b;v=1/c?x=y#frag',
    'http://[::1]:9000/',
    'https://xn--bcher-kva.example/',
    'https://bücher.example/',
    'https://a.example.com/%E2%82%AC/~user/!$&()*+,;=:@',
  ])('should store %s exactly as sent', async (url) => {
    const res = await api.http.post('/api/v1/routes', { ...route(), url });

    expect(res.status).toBe(201);
    expect(res.body.url).toBe(url);
  });
});
