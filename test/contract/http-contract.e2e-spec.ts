import { DataSource, QueryFailedError } from 'typeorm';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import * as fs from 'fs';
import { eventually } from '../helpers/eventually';
import { HttpResult, TEST_ADMIN_KEY } from '../helpers/http';
import { uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// Answers produced by fastify and its plugins (static files, routing) are in the error contract too,
// and a failure's log line carries neither bound SQL values nor credentials.
describe('HTTP contract (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const expectContract = (res: HttpResult, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ error: code, message: expect.any(String), correlation_id: res.headers.get('x-correlation-id') });
  };

  it.each(['/docs/nothing.js', '/docs/static/missing.css', '/docs/a/b/c'])('should answer GET %s with 404, not 405', async (path) => {
    expectContract(await api.http.get(path), 404, 'HTTP.NOT_FOUND');
  });

  it.each([
    ['/api/v1/routes', 'DELETE', 'GET, HEAD, POST'],
    ['/api/v1/routes/resolve', 'POST', 'GET, HEAD'],
    ['/api/v1/routes/activate', 'GET', 'POST'],
    ['/api/v1/audit/recent', 'PUT', 'GET, HEAD'],
    ['/health/live', 'PATCH', 'GET, HEAD'],
  ])('should list HEAD in Allow where it works (%s, %s)', async (path, method, allow) => {
    const res = await api.http.request(method, path);

    expectContract(res, 405, 'HTTP.METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe(allow);
    if (allow.includes('HEAD')) expect((await api.http.request('HEAD', path)).status).not.toBe(405);
  });

  it.each(['/docs/%2e%2e/package.json', '/docs/%2E%2E/%2E%2E/etc/passwd', '/docs/..%2fpackage.json'])(
    'should answer GET %s with 403 or 404 in the contract',
    async (path) => {
      const res = await api.http.get(path);

      expect([403, 404]).toContain(res.status);
      expectContract(res, res.status, res.status === 403 ? 'HTTP.FORBIDDEN' : 'HTTP.NOT_FOUND');
    },
  );

  it('should document 403 and 416 among the error statuses', () => {
    const design = fs.readFileSync(`${__dirname}/../../docs/design.md`, 'utf8');

    expect(design).toMatch(/`HTTP\.FORBIDDEN` 403/);
    expect(design).toMatch(/`HTTP\.RANGE_NOT_SATISFIABLE` 416/);
  });

  it('should log a failed write without the bound values, URL secrets or credential headers', async () => {
    const secretUrl = 'https://svc.example.com/hook?token=s3cret-token';
    const failure = new QueryFailedError('INSERT INTO "endpoints" ("url") VALUES ($1)', [secretUrl], new Error(`bad value ${secretUrl}`));
    Object.assign(failure, { headers: { authorization: 'Bearer s3cret-bearer' } });
    jest.spyOn(api.app.get(DataSource), 'query').mockRejectedValueOnce(failure);
    // The spy calls through and only records the serialised lines the root logger writes.
    const stream = (PinoLogger.root as unknown as Record<symbol, { write(line: string): boolean }>)[pino.symbols.streamSym];
    const spies = [jest.spyOn(stream, 'write')];
    const written = () => spies.flatMap((spy) => spy.mock.calls.map((call) => String(call[0])));
    try {
      const res = await api.http.post(
        '/api/v1/routes',
        { tenant: uniqueTenant('log'), service: 's', env: 'e', version: 'v', url: 'https://a.example.com' },
        // A valid key (authentication passes), next to other credentials that must not be logged either.
        { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'x-api-key': 's3cret-key', 'proxy-authorization': 'Basic s3cret-basic' },
      );
      expectContract(res, 500, 'INTERNAL.ERROR');
      const line = await eventually(() => {
        const found = written().find((text) => text.includes('INSERT INTO'));
        expect(found).toBeDefined();
        return found as string;
      }, 5000);
      expect(JSON.parse(line).err).toMatchObject({
        query: 'INSERT INTO "endpoints" ("url") VALUES ($1)',
        message: 'bad value https://svc.example.com/hook?[REDACTED]',
      });
      expect(written().join('')).not.toMatch(/s3cret/);
      expect(written().join('')).not.toContain(TEST_ADMIN_KEY);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });
});
