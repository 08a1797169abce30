import { Client } from 'pg';
import { AppProcess } from '../helpers/app-process';
import { connectDb } from '../helpers/database';
import { within } from '../helpers/deadline';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { Outcome, SteadyLoad, unexpected } from '../helpers/steady-load';

const DRAIN_DELAY_S = 2;
const DRAIN_TIMEOUT_S = 15;

const isDraining = (o: Outcome) => o.result?.status === 503 && o.result.body.error === 'SERVICE.DRAINING';

// The built API (node dist/src/main.js) under steady resolve and write load gets a real SIGTERM,
// with one write held inside PostgreSQL (its row locked by another session) across the drain.
describe('SIGTERM to the API under load (e2e)', () => {
  let api: AppProcess | undefined;
  let db: Client;

  beforeAll(async () => {
    db = await connectDb();
  });

  afterAll(async () => {
    await db?.query('ROLLBACK').catch(() => undefined);
    await db?.end();
    await api?.kill();
  });

  it('should turn readiness 503 first, then refuse new work with SERVICE.DRAINING, finish every accepted request and exit 0', async () => {
    // The held write must outlive the drain delay rather than hit the statement timeout.
    api = await AppProcess.start('main', {
      DRAIN_DELAY: String(DRAIN_DELAY_S),
      DRAIN_TIMEOUT: String(DRAIN_TIMEOUT_S),
      DB_STATEMENT_TIMEOUT_MS: '60000',
    });
    const http = api.http;
    await eventually(async () => expect((await http.get('/health/ready')).status).toBe(200), 60_000);
    const tenant = uniqueTenant('sigterm');
    const routes = Array.from({ length: 5 }, (_, i) => routeOf(tenant, `v${i}`));
    for (const route of routes)
      expect((await http.post('/api/v1/routes', { ...route, url: `https://${route.version}.example.com` })).status).toBe(201);

    await db.query('BEGIN');
    await db.query('SELECT id FROM endpoints WHERE url = $1 FOR UPDATE', ['https://v0.example.com']);
    const heldWrite = http.post('/api/v1/routes', { ...routes[0], url: 'https://held.example.com' });
    await eventually(async () => expect((await http.get('/health/resilience')).body.graceful_draining.in_flight_requests).toBe(1));

    // Resolves and writes; each worker stops at its first SERVICE.DRAINING, as a client would move on.
    const load = new SteadyLoad(
      (n) => {
        const route = routes[1 + (n % 4)];
        return n % 3 === 0
          ? http.post('/api/v1/routes', { ...route, url: `https://${route.version}.example.com/${n}` })
          : http.get(resolvePath(route));
      },
      { workers: 3, pauseMs: 20, until: isDraining },
    );
    const readiness = new SteadyLoad(() => http.get('/health/ready'), { workers: 1, pauseMs: 50, until: (o) => o.result?.status !== 200 });
    await eventually(() => expect(load.outcomes.length).toBeGreaterThanOrEqual(30));

    const signalledAt = Date.now();
    api.signal('SIGTERM');
    const outcomes = await within(DRAIN_TIMEOUT_S * 1000, load.finished(), 'SERVICE.DRAINING for every worker');
    const probes = await within(DRAIN_TIMEOUT_S * 1000, readiness.finished(), 'readiness 503');

    // Accepted work is still in flight, so the process is still there and refuses new work in the contract.
    expect(api.running).toBe(true);
    const late = await http.get(resolvePath(routes[1]), { 'X-Correlation-ID': 'after-drain-1' });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(late.headers.get('content-type')).toMatch(/^application\/json/);
    expect(late.body).toEqual({ error: 'SERVICE.DRAINING', message: expect.any(String), correlation_id: 'after-drain-1' });
    await db.query('COMMIT');

    expect(await heldWrite).toMatchObject({ status: 200, body: { url: 'https://held.example.com', revision: 2 } });
    expect(await within((DRAIN_TIMEOUT_S + 5) * 1000, api.exited, 'exit')).toEqual({ code: 0, signal: null });

    // Every request got an HTTP answer: 2xx before the signal, 2xx or SERVICE.DRAINING after it.
    expect(unexpected(outcomes, (o) => o.result !== undefined)).toEqual([]);
    expect(unexpected(load.between(0, signalledAt), (o) => o.result!.status < 300)).toEqual([]);
    expect(unexpected(load.between(signalledAt), (o) => o.result!.status < 300 || isDraining(o))).toEqual([]);
    // Readiness failed (saying why) before any request was refused.
    const notReady = probes[probes.length - 1];
    expect(notReady.result).toMatchObject({ status: 503, body: { details: { draining: { status: 'down' } } } });
    const firstRefusal = Math.min(...outcomes.filter(isDraining).map((o) => o.startedAt));
    expect(notReady.finishedAt).toBeLessThanOrEqual(firstRefusal);
  });
});
