import { FastifyInstance } from 'fastify';
import { ClsServiceManager } from 'nestjs-cls';
import * as httpErrors from '../../common/filters/http-error.filter';
import { createFastifyAdapter } from '../../common/http/http-setup';
import { isDeferredContextUrl } from '../../common/context/request-context';
import { Principal } from '../../contracts/principal';
import { RouteKey } from '../../contracts/route-key';
import { ServiceOverloadedError } from '../resilience';
import { RESOLVE_PATH, ResolveRoute } from './resolve-route';
import { ResolvedRoute } from './resolve.service';

// The request context rule of resolve (common/context/request-context.ts): a memory hit runs without
// one, and every other branch (each can log or wait) runs in the request's, with its correlation id.
const ADMIN: Principal = { keyId: 'k', keyName: 'test', tenant: null, role: 'admin' };
const TEAM_B: Principal = { keyId: 'b', keyName: 'team-b', tenant: 'team-b', role: 'reader' };
const ROUTE: ResolvedRoute = { url: 'https://payments.example.com', revision: 3 };
const QUERY = '?tenant=team-a&service=payments&env=prod&version=v2';

const contextId = (): string | undefined => {
  const cls = ClsServiceManager.getClsService();
  return cls.isActive() ? cls.getId() : undefined;
};

describe('ResolveRoute request context', () => {
  let fastify: FastifyInstance;
  let seen: Array<[string, string | undefined]>;
  let principal: () => Principal | Promise<Principal>;
  let memory: ResolvedRoute | undefined;
  let limited: boolean;
  let draining: Error | undefined;

  const note = (where: string) => seen.push([where, contextId()]);

  beforeEach(async () => {
    seen = [];
    principal = () => ADMIN;
    memory = ROUTE;
    limited = false;
    draining = undefined;
    const adapter = createFastifyAdapter({
      headersTimeoutMs: 5000,
      bodyTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      keepAliveTimeoutMs: 5000,
      corsOrigins: [],
      corsMaxAgeSeconds: 0,
    });
    fastify = adapter.getInstance<FastifyInstance>();
    const route = new ResolveRoute(
      { httpAdapter: adapter } as never,
      {
        fromMemory: () => (note('fromMemory'), memory),
        resolve: (_key: RouteKey) => (note('resolve'), Promise.resolve(ROUTE)),
        watch: () => (note('watch'), { ended: Promise.resolve({ kind: 'timeout' }), cancel: () => undefined }),
        releaseWatches: () => undefined,
      } as never,
      { run: (_name: string, work: () => Promise<unknown>) => work() } as never,
      {
        onBegin: () => undefined,
        isDraining: false,
        enter: () => {
          if (draining) throw draining;
        },
        leave: () => undefined,
      } as never,
      {
        take: () => (limited ? { limitClass: 'reads', bucket: 'b', limit: 1, hits: 2, msUntilReset: 1000 } : undefined),
        refuse: (_request: unknown, reply: { code(n: number): { send(): void } }) => (note('refuse'), reply.code(429).send()),
      } as never,
      { authenticate: () => principal() } as never,
    );
    route.onModuleInit();
    // Any other route gets its context from the hook, as before.
    fastify.get('/other', async () => (note('other'), { ok: true }));
    const send = httpErrors.sendError;
    jest.spyOn(httpErrors, 'sendError').mockImplementation((...args) => {
      note('sendError');
      send(...args);
    });
    await fastify.ready();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await fastify.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    fastify.inject({ method: 'GET', url, headers: { 'x-correlation-id': 'req-1', ...headers } });

  it('should answer a memory hit without entering a request context', async () => {
    const res = await get(`${RESOLVE_PATH}${QUERY}`);

    expect(res.statusCode).toBe(200);
    expect(res.headers['x-correlation-id']).toBe('req-1');
    expect(seen).toEqual([['fromMemory', undefined]]);
  });

  // branch, arrangement, status, where the context is observed, query, headers
  type Branch = [string, () => void, number, string, string?, Record<string, string>?];
  it.each<Branch>([
    [
      'a miss (Redis, PostgreSQL)',
      () => {
        memory = undefined;
      },
      200,
      'resolve',
    ],
    ['a key not held yet (PostgreSQL)', () => (principal = () => Promise.resolve(ADMIN)), 200, 'fromMemory'],
    ['a key refused after a read', () => (principal = () => Promise.reject(new ServiceOverloadedError('API key verification'))), 503, 'sendError'],
    [
      'a refused key',
      () =>
        (principal = () => {
          throw new ServiceOverloadedError('x');
        }),
      503,
      'sendError',
    ],
    ['an invalid query', () => undefined, 400, 'sendError', '?tenant=team-a'],
    ['another tenant', () => (principal = () => TEAM_B), 404, 'sendError'],
    ['the read limit', () => (limited = true), 429, 'refuse'],
    ['a draining instance', () => (draining = new ServiceOverloadedError('draining')), 503, 'sendError'],
    ['a long-poll', () => undefined, 304, 'watch', QUERY, { 'if-none-match': 'W/"3"', prefer: 'wait=1' }],
  ])('should run %s in the request context', async (_branch, arrange, status, where, query = QUERY, headers: Record<string, string> = {}) => {
    arrange();

    const res = await get(`${RESOLVE_PATH}${query}`, headers);

    expect(res.statusCode).toBe(status);
    expect(seen).toContainEqual([where, 'req-1']);
    expect(seen.filter(([place]) => place !== 'fromMemory')).toEqual(
      seen.filter(([place]) => place !== 'fromMemory').map(([place]) => [place, 'req-1']),
    );
  });

  it('should start the context in the hook for every other route, and for resolve spelled with a trailing slash', async () => {
    await get('/other');
    await get(`${RESOLVE_PATH}/${QUERY}`);

    expect(seen).toEqual([
      ['other', 'req-1'],
      ['fromMemory', 'req-1'],
    ]);
  });

  it('should defer only the exact registered path, with or without a query string', () => {
    expect([RESOLVE_PATH, `${RESOLVE_PATH}?`, `${RESOLVE_PATH}${QUERY}`].map(isDeferredContextUrl)).toEqual([true, true, true]);
    expect(
      [`${RESOLVE_PATH}/`, `${RESOLVE_PATH}x`, `${RESOLVE_PATH}#`, '/api/v1/routes', '/API/v1/routes/resolve', '/api/v1/routes/resolv'].map(
        isDeferredContextUrl,
      ),
    ).toEqual([false, false, false, false, false, false]);
  });
});
