import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ClientEvent, RouteNotFoundError, TrafficManagerClient, TrafficManagerClientOptions, TrafficManagerError } from '../../sdk';
import { eventually } from '../helpers/eventually';
import { TEST_ADMIN_KEY } from '../helpers/http';
import { createKey } from '../helpers/keys';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// The TypeScript SDK (sdk/) against two real API instances on the same PostgreSQL, Redis and Kafka:
// writes go through A, the client talks to B.
describe('TypeScript SDK (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  const clients: TrafficManagerClient[] = [];

  beforeAll(async () => {
    a = await startApi();
    b = await startApi();
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await b.close();
    await a.close();
  });

  const connect = (options: Partial<TrafficManagerClientOptions> = {}, app = b) => {
    const client = new TrafficManagerClient({ baseUrl: app.http.baseUrl, apiKey: TEST_ADMIN_KEY, ...options });
    clients.push(client);
    return client;
  };
  const write = async (route: ReturnType<typeof routeOf>, url: string) => {
    const res = await a.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBeLessThan(300);
    return res.body as { revision: number };
  };

  it('should answer a watched scope from memory from the start and follow changes made through another instance without asking', async () => {
    const tenant = uniqueTenant('sdk');
    const v1 = routeOf(tenant, 'v1');
    const v2 = routeOf(tenant, 'v2');
    await write(v1, 'https://one.example.com');
    const client = connect({ watch: [{ tenant }] });

    expect(await client.start()).toEqual({ snapshotRoutes: 0, watches: [{ scope: { tenant }, state: 'in_sync' }] });
    expect(await client.resolve(v1)).toMatchObject({ url: 'https://one.example.com', revision: 1, origin: 'memory' });

    await write(v1, 'https://two.example.com');
    await eventually(async () => expect(await client.resolve(v1)).toMatchObject({ url: 'https://two.example.com', revision: 2, origin: 'memory' }));
    await a.http.post('/api/v1/routes/deactivate', v1);
    await eventually(async () =>
      expect(await client.resolve(v1).catch((err: unknown) => err)).toMatchObject({ constructor: RouteNotFoundError, origin: 'memory' }),
    );
    // A route the client has never seen is pushed to it as soon as it is created.
    await write(v2, 'https://v2.example.com');
    await eventually(() => expect(client.stats.pushesApplied).toBe(4));
    expect(await client.resolve(v2)).toMatchObject({ url: 'https://v2.example.com', revision: 1, origin: 'memory' });
    expect(client.stats.serverCalls).toBe(0);
  });

  it('should ask the server outside its watched scopes, revalidate after the TTL, and read its own writes with minRevision', async () => {
    const tenant = uniqueTenant('sdkttl');
    const route = routeOf(tenant);
    await write(route, 'https://one.example.com');
    const client = connect({ ttlMs: 100 });

    expect(await client.resolve(route)).toMatchObject({ url: 'https://one.example.com', revision: 1, origin: 'server' });
    expect(await client.resolve(route)).toMatchObject({ origin: 'memory' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await client.resolve(route)).toMatchObject({ revision: 1, origin: 'server', ageMs: expect.any(Number) });

    // Changed through A; B's caches may hold revision 1 for a few milliseconds, minRevision may not.
    const { revision } = await write(route, 'https://two.example.com');
    expect(await client.resolve(route, { minRevision: revision })).toMatchObject({ url: 'https://two.example.com', revision, origin: 'server' });
    await expect(client.resolve(routeOf(tenant, 'v9'))).rejects.toMatchObject({ constructor: RouteNotFoundError, origin: 'server' });
    expect(client.stats.serverCalls).toBe(4);
  });

  it('should keep routing from memory and from its last-known-good file while Traffic Manager is down', async () => {
    const tenant = uniqueTenant('sdkdown');
    const route = routeOf(tenant);
    await write(route, 'https://one.example.com');
    const c = await startApi();
    const file = join(mkdtempSync(join(tmpdir(), 'tm-sdk-e2e-')), 'routes.json');
    const events: ClientEvent[] = [];
    const running = connect({ ttlMs: 50, snapshotFile: file, watch: [{ tenant }], onEvent: (event) => events.push(event) }, c);
    await running.start();
    expect(await running.resolve(route)).toMatchObject({ url: 'https://one.example.com', origin: 'memory' });
    await running.close();
    expect(JSON.parse(readFileSync(file, 'utf8')).routes).toEqual([expect.objectContaining({ route: `${tenant}/payments/prod/v1`, revision: 1 })]);

    const held = connect({ ttlMs: 50 }, c);
    await held.resolve(route);
    await c.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await held.resolve(route)).toMatchObject({ url: 'https://one.example.com', revision: 1, origin: 'stale' });

    // A process starting now: nothing in memory, the server gone, the file still there.
    const starting = connect({ snapshotFile: file, watch: [{ tenant }], startTimeoutMs: 300, onEvent: (event) => events.push(event) }, c);
    expect(await starting.start()).toMatchObject({ snapshotRoutes: 1 });
    expect(await starting.resolve(route)).toMatchObject({ url: 'https://one.example.com', revision: 1, origin: 'stale' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'stale_served', route: `${tenant}/payments/prod/v1` }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'watch', scope: { tenant }, state: 'disconnected' }));
  });

  it("should pass the server's refusals through: another tenant's route is not found, a bad key stops the watch", async () => {
    const tenant = uniqueTenant('sdkscope');
    const other = uniqueTenant('sdkother');
    await write(routeOf(other), 'https://other.example.com');
    const { key } = await createKey(a.http, { tenant, role: 'reader' });
    const scoped = connect({ apiKey: key });
    await expect(scoped.resolve(routeOf(other))).rejects.toMatchObject({ constructor: RouteNotFoundError, origin: 'server' });

    const badKey = connect({ apiKey: 'tm_not-a-key-000000000000000000000000000000', watch: [{ tenant }] });
    expect(await badKey.start()).toMatchObject({ watches: [{ state: 'refused' }] });
    const failure = await badKey.resolve(routeOf(tenant)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TrafficManagerError);
    expect(failure).toMatchObject({ status: 401, code: expect.stringMatching(/^AUTH\./) });
  });
});
