import { WatchDeps, WatchedRoute, WatchState, WatchSubscription } from './watch-subscription';

// A fake watch endpoint: each connection gets a stream the test writes frames to and ends.
function fakeWatchServer() {
  const connections: Array<{ url: string; headers: Record<string, string>; send: (text: string) => void; end: () => void; signal: AbortSignal }> = [];
  const refusals: number[] = [];
  const fetchFake = (async (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => {
    const refusal = refusals.shift();
    if (refusal !== undefined) return new Response(JSON.stringify({ error: 'AUTH.INVALID_KEY', message: 'no' }), { status: refusal });
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
    init.signal.addEventListener('abort', () => controller.error(init.signal.reason));
    connections.push({
      url,
      headers: init.headers,
      send: (text) => controller.enqueue(new TextEncoder().encode(text)),
      end: () => controller.close(),
      signal: init.signal,
    });
    return new Response(body, { status: 200 });
  }) as unknown as typeof fetch;
  return { connections, refusals, fetch: fetchFake };
}

const ROUTE: WatchedRoute = {
  tenant: 't',
  service: 'payments',
  env: 'prod',
  version: 'v1',
  url: 'https://a.example.com',
  is_active: true,
  revision: 1,
};
const frame = (event: string, data: unknown, id?: string) => `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

function subscribe(server: ReturnType<typeof fakeWatchServer>, overrides: Partial<WatchDeps> = {}) {
  const routes: WatchedRoute[] = [];
  const states: WatchState[] = [];
  const watch = new WatchSubscription(
    { tenant: 't', service: 'payments' },
    {
      baseUrl: 'http://tm.test',
      headers: () => ({ authorization: 'Bearer k' }),
      fetch: server.fetch,
      onRoute: (route) => routes.push(route),
      onState: (_w, state) => states.push(state),
      idleTimeoutMs: 10_000,
      maxBackoffMs: 20,
      random: () => 0,
      ...overrides,
    },
  );
  void watch.start();
  return { watch, routes, states };
}

describe('WatchSubscription', () => {
  it('should ask for a full replay first, be in sync after ready, and resume from the last event id after a drop', async () => {
    const server = fakeWatchServer();
    const { watch, routes, states } = subscribe(server);
    await until(() => server.connections.length === 1, 'the first connection');
    const first = server.connections[0];
    expect(first.url).toBe('http://tm.test/api/v1/routes/watch?tenant=t&service=payments');
    expect(first.headers).toMatchObject({ 'last-event-id': '0', accept: 'text/event-stream', authorization: 'Bearer k' });

    first.send('retry: 10\n\n' + frame('route', ROUTE, '1000'));
    first.send(frame('ready', { resumed: true, replayed: 1 }, '1001'));
    await until(() => watch.inSync, 'in sync');
    expect(routes).toEqual([ROUTE]);
    const epoch = watch.epoch;

    first.send(': heartbeat\n\n' + frame('route', { ...ROUTE, revision: 2 }, '1500'));
    await until(() => routes.length === 2, 'the live change');
    first.end();
    await until(() => server.connections.length === 2, 'the reconnection');
    expect(watch.inSync).toBe(false);
    expect(server.connections[1].headers['last-event-id']).toBe('1500');
    server.connections[1].send(frame('ready', { resumed: true, replayed: 0 }, '1600'));
    await until(() => watch.inSync, 'in sync again');
    expect(watch.epoch).toBe(epoch);
    expect(states).toEqual(['connecting', 'replaying', 'in_sync', 'disconnected', 'connecting', 'replaying', 'in_sync']);
    watch.close();
  });

  it('should start a new epoch and connect without Last-Event-ID after a reset, or after a start without replay', async () => {
    const server = fakeWatchServer();
    const { watch } = subscribe(server);
    await until(() => server.connections.length === 1, 'the first connection');
    server.connections[0].send(frame('reset', { reason: 'too many' }));
    server.connections[0].end();
    await until(() => server.connections.length === 2, 'the reconnection');
    expect(server.connections[1].headers['last-event-id']).toBeUndefined();
    expect(watch.epoch).toBe(1);
    server.connections[1].send(frame('ready', { resumed: false, replayed: 0 }, '2000'));
    await until(() => watch.inSync, 'in sync');
    expect(watch.epoch).toBe(2);
    watch.close();
  });

  it('should give up on 400, 401 and 403 (the caller must fix them) but retry 503', async () => {
    const server = fakeWatchServer();
    server.refusals.push(503, 401);
    const { watch, states } = subscribe(server);
    await until(() => watch.state === 'refused', 'the refusal');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.connections).toHaveLength(0);
    expect(states.filter((state) => state === 'connecting')).toHaveLength(2);
  });

  it('should drop a connection that sends nothing, not even heartbeats, and reconnect', async () => {
    const server = fakeWatchServer();
    const { watch } = subscribe(server, { idleTimeoutMs: 30 });
    await until(() => server.connections.length === 1, 'the first connection');
    server.connections[0].send(frame('ready', { resumed: true, replayed: 0 }, '1'));
    await until(() => server.connections.length === 2, 'the reconnection after silence');
    expect(server.connections[0].signal.aborted).toBe(true);
    watch.close();
    expect(server.connections[1].signal.aborted).toBe(true);
  });
});
