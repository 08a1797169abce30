import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TrafficManagerClient, TrafficManagerClientOptions } from './client';
import { RouteNotFoundError, TrafficManagerError, TrafficManagerUnavailableError } from './errors';

type Answer = { status: number; body?: unknown } | 'down';

// A fake Traffic Manager resolve endpoint: answers from a queue (the last answer repeats) and records
// each request's headers.
function fakeServer(...answers: Answer[]) {
  const calls: Array<Record<string, string>> = [];
  let gate: Promise<void> | undefined;
  const fetchFake = (async (_url: string, init: { headers: Record<string, string> }) => {
    calls.push(init.headers);
    const next = answers.length > 1 ? answers.shift()! : answers[0];
    if (gate) await gate;
    if (next === 'down') throw new TypeError('fetch failed: connect ECONNREFUSED');
    return new Response(next.status === 304 ? null : JSON.stringify(next.body ?? {}), { status: next.status });
  }) as unknown as typeof fetch;
  return {
    calls,
    fetch: fetchFake,
    answer: (...more: Answer[]) => answers.splice(0, answers.length, ...more),
    hold: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

const KEY = { tenant: 't', service: 'payments', env: 'prod', version: 'v2' };
const route = (url: string, revision: number) => ({ status: 200, body: { ...KEY, url, revision } });
const NOT_FOUND = { status: 404, body: { error: 'ROUTE.NOT_FOUND', message: 'No active route found for t/payments/prod/v2' } };

const client = (server: ReturnType<typeof fakeServer>, options: Partial<TrafficManagerClientOptions> = {}) =>
  new TrafficManagerClient({ baseUrl: 'http://tm.test', apiKey: 'k', fetch: server.fetch, ...options });

describe('TrafficManagerClient', () => {
  afterEach(() => jest.useRealTimers());

  it('should answer from memory within the TTL, then revalidate with If-None-Match and keep the entry on 304', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const server = fakeServer(route('https://a.example.com', 3), { status: 304 });
    const tm = client(server, { ttlMs: 1_000 });

    expect(await tm.resolve(KEY)).toMatchObject({ url: 'https://a.example.com', revision: 3, origin: 'server' });
    expect(await tm.resolve(KEY)).toMatchObject({ revision: 3, origin: 'memory' });
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0].authorization).toBe('Bearer k');

    jest.setSystemTime(1_001_500);
    expect(await tm.resolve(KEY)).toMatchObject({ url: 'https://a.example.com', revision: 3, origin: 'server', ageMs: 0 });
    expect(server.calls[1]['if-none-match']).toBe('W/"3"');
    expect(tm.stats).toMatchObject({ memoryHits: 1, serverCalls: 2 });
  });

  it('should remember "no active route" for its own shorter TTL and throw RouteNotFoundError each time', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const server = fakeServer(NOT_FOUND, route('https://b.example.com', 2));
    const tm = client(server, { notFoundTtlMs: 500 });

    await expect(tm.resolve(KEY)).rejects.toMatchObject({ constructor: RouteNotFoundError, origin: 'server', code: 'ROUTE.NOT_FOUND' });
    await expect(tm.resolve(KEY)).rejects.toMatchObject({ origin: 'memory' });
    expect(server.calls).toHaveLength(1);
    jest.setSystemTime(1_000_600);
    expect(await tm.resolve(KEY)).toMatchObject({ url: 'https://b.example.com', revision: 2 });
  });

  it('should serve what it holds, marked stale, when the server is down, answers 5xx or 429, and fail when it holds nothing', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const server = fakeServer(route('https://a.example.com', 3));
    const events: unknown[] = [];
    const tm = client(server, { ttlMs: 10, onEvent: (event) => events.push(event) });
    await tm.resolve(KEY);

    for (const failure of [
      'down',
      { status: 503, body: { error: 'RESILIENCE.DRAINING', message: 'draining' } },
      { status: 429, body: {} },
    ] as Answer[]) {
      jest.setSystemTime(Date.now() + 100);
      server.answer(failure);
      expect(await tm.resolve(KEY)).toMatchObject({ url: 'https://a.example.com', revision: 3, origin: 'stale' });
    }
    expect(tm.stats.staleServed).toBe(3);
    expect(events).toContainEqual(expect.objectContaining({ type: 'stale_served', route: 't/payments/prod/v2', ageMs: 300 }));

    server.answer('down');
    await expect(tm.resolve({ ...KEY, version: 'v9' })).rejects.toBeInstanceOf(TrafficManagerUnavailableError);
  });

  it('should not serve a stale answer older than staleIfErrorMs, nor one older than the revision asked for', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const server = fakeServer(route('https://a.example.com', 3), 'down');
    const tm = client(server, { ttlMs: 10, staleIfErrorMs: 60_000 });
    await tm.resolve(KEY);
    jest.setSystemTime(1_000_100);

    await expect(tm.resolve(KEY, { minRevision: 4 })).rejects.toBeInstanceOf(TrafficManagerUnavailableError);
    expect(server.calls[1]['x-min-revision']).toBe('4');
    jest.setSystemTime(1_061_000);
    await expect(tm.resolve(KEY)).rejects.toBeInstanceOf(TrafficManagerUnavailableError);
  });

  it('should ask the server when the caller needs a newer revision than the one held, even within the TTL', async () => {
    const server = fakeServer(route('https://a.example.com', 3), route('https://b.example.com', 4));
    const tm = client(server);
    await tm.resolve(KEY);
    expect(await tm.resolve(KEY, { minRevision: 4 })).toMatchObject({ url: 'https://b.example.com', revision: 4, origin: 'server' });
    expect(await tm.resolve(KEY, { minRevision: 4 })).toMatchObject({ revision: 4, origin: 'memory' });
    expect(server.calls).toHaveLength(2);
  });

  it('should pass client errors through with the server code and never serve stale for them', async () => {
    const bad = { status: 400, body: { error: 'VALIDATION.FAILED', message: 'Invalid request', details: [{ field: 'tenant', problem: 'x' }] } };
    const server = fakeServer(bad);
    const tm = client(server);
    const failure = await tm.resolve({ ...KEY, tenant: 'bad tenant' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TrafficManagerError);
    expect(failure).toMatchObject({ code: 'VALIDATION.FAILED', status: 400, details: [{ field: 'tenant', problem: 'x' }] });
    expect(failure).not.toBeInstanceOf(TrafficManagerUnavailableError);
  });

  it('should send one request for concurrent resolves of one route', async () => {
    const server = fakeServer(route('https://a.example.com', 3));
    const tm = client(server);
    const release = server.hold();
    const answers = Promise.all(Array.from({ length: 50 }, () => tm.resolve(KEY)));
    release();
    expect((await answers).every((answer) => answer.revision === 3)).toBe(true);
    expect(server.calls).toHaveLength(1);
  });

  it('should stop calling a failing server once the breaker opens, and try again after it half-opens', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate'] });
    const server = fakeServer('down');
    const states: string[] = [];
    const tm = client(server, { breakerFailures: 3, breakerOpenMs: 1_000, onEvent: (e) => e.type === 'breaker' && states.push(e.state) });
    for (let i = 0; i < 6; i++) await expect(tm.resolve({ ...KEY, version: `v${i}` })).rejects.toBeInstanceOf(TrafficManagerUnavailableError);
    expect(server.calls).toHaveLength(3);
    expect(states).toEqual(['open']);

    jest.advanceTimersByTime(1_100);
    server.answer(route('https://a.example.com', 3));
    expect(await tm.resolve(KEY)).toMatchObject({ origin: 'server' });
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('should keep a later revision that arrived while an older answer was on its way', async () => {
    const server = fakeServer(route('https://a.example.com', 3), route('https://old.example.com', 2));
    const tm = client(server, { ttlMs: 0 });
    await tm.resolve(KEY);
    expect(await tm.resolve(KEY)).toMatchObject({ url: 'https://a.example.com', revision: 3, origin: 'server' });
  });

  it('should write the last-known-good file on close and route from it when the server is down at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-sdk-'));
    const file = join(dir, 'routes.json');
    const up = fakeServer(route('https://a.example.com', 3), NOT_FOUND);
    const first = client(up, { snapshotFile: file });
    await first.start();
    await first.resolve(KEY);
    // "No active route" answers are not written: the file is for routing while the server is down.
    await expect(first.resolve({ ...KEY, version: 'gone' })).rejects.toBeInstanceOf(RouteNotFoundError);
    await first.close();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      format: 1,
      routes: [{ route: 't/payments/prod/v2', url: 'https://a.example.com', revision: 3, confirmed_at: expect.any(String) }],
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).routes).toHaveLength(1);

    const down = fakeServer('down');
    const second = client(down, { snapshotFile: file });
    expect(await second.start()).toMatchObject({ snapshotRoutes: 1 });
    expect(await second.resolve(KEY)).toMatchObject({ url: 'https://a.example.com', revision: 3, origin: 'stale' });
    expect(down.calls[0]['if-none-match']).toBeUndefined();

    // Back up: the server's answer replaces the snapshot's, even at a lower revision (a restored database).
    const back = fakeServer(route('https://restored.example.com', 1));
    const third = client(back, { snapshotFile: file });
    await third.start();
    expect(await third.resolve(KEY)).toMatchObject({ url: 'https://restored.example.com', revision: 1, origin: 'server' });
  });

  it('should start without a snapshot when the file is unreadable, and say why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-sdk-'));
    const file = join(dir, 'routes.json');
    writeFileSync(file, '{"not":"a snapshot"}');
    const events: unknown[] = [];
    const tm = client(fakeServer('down'), { snapshotFile: file, onEvent: (event) => events.push(event) });
    expect(await tm.start()).toMatchObject({ snapshotRoutes: 0 });
    expect(events).toContainEqual({ type: 'snapshot_error', error: `${file} is not a Traffic Manager snapshot (format 1)` });
  });

  it('should keep answering lost routes with their last URL while most of their tenant is lost (lossProtection), until accepted', async () => {
    const keys = ['v1', 'v2', 'v3', 'v4'].map((version) => ({ ...KEY, version }));
    const server = fakeServer(route('https://one.example.com', 1));
    const events: unknown[] = [];
    const tm = client(server, { ttlMs: 0, notFoundTtlMs: 0, lossProtection: { minRoutes: 3, maxShare: 0.5 }, onEvent: (e) => events.push(e) });
    for (const key of keys) await tm.resolve(key);

    server.answer(NOT_FOUND);
    await expect(tm.resolve(keys[0])).rejects.toBeInstanceOf(RouteNotFoundError); // 1 of 4 lost
    await expect(tm.resolve(keys[1])).rejects.toBeInstanceOf(RouteNotFoundError); // 2 of 4: not more than half
    expect(await tm.resolve(keys[2])).toMatchObject({ url: 'https://one.example.com', revision: 1, origin: 'preserved' }); // 3 of 4
    const calls = server.calls.length;
    expect(await tm.resolve(keys[0])).toMatchObject({ origin: 'preserved' });
    expect(server.calls).toHaveLength(calls); // answered from memory while engaged
    expect(events).toContainEqual({ type: 'loss_protection', tenant: 't', engaged: true, lost: 3 });
    // A caller that needs a newer revision than the preserved one is not given it.
    await expect(tm.resolve(keys[1], { minRevision: 2 })).rejects.toBeInstanceOf(RouteNotFoundError);

    tm.acceptLosses('t');
    await expect(tm.resolve(keys[0])).rejects.toBeInstanceOf(RouteNotFoundError);
    expect(events).toContainEqual({ type: 'loss_protection', tenant: 't', engaged: false, lost: 0 });
    expect(tm.stats.preservedServed).toBe(2);
  });

  it('should follow every 404 at once without lossProtection', async () => {
    const keys = ['v1', 'v2', 'v3', 'v4'].map((version) => ({ ...KEY, version }));
    const server = fakeServer(route('https://one.example.com', 1));
    const tm = client(server, { ttlMs: 0, notFoundTtlMs: 0 });
    for (const key of keys) await tm.resolve(key);
    server.answer(NOT_FOUND);
    for (const key of keys) await expect(tm.resolve(key)).rejects.toBeInstanceOf(RouteNotFoundError);
  });
});

describe('TrafficManagerClient with a watch stream', () => {
  // Watch requests get a stream the test writes to; resolve requests find the server down.
  function serverWithStream() {
    const streams: Array<{ send: (text: string) => void; end: () => void }> = [];
    const fetchFake = (async (url: string, init: { signal: AbortSignal }) => {
      if (!url.includes('/watch')) throw new TypeError('fetch failed: connect ECONNREFUSED');
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
      init.signal.addEventListener('abort', () => controller.error(init.signal.reason));
      streams.push({ send: (text) => controller.enqueue(new TextEncoder().encode(text)), end: () => controller.close() });
      return new Response(body, { status: 200 });
    }) as unknown as typeof fetch;
    return { streams, fetch: fetchFake };
  }
  const event = (name: string, data: unknown, id: string) => `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('should count a pushed route as current while its stream is in sync, so it stays servable stale after the stream drops', async () => {
    const server = serverWithStream();
    const tm = new TrafficManagerClient({ baseUrl: 'http://tm.test', fetch: server.fetch, watch: [{ tenant: 't' }], ttlMs: 50, staleIfErrorMs: 250 });
    const starting = tm.start();
    await eventuallyTrue(() => server.streams.length === 1);
    server.streams[0].send(
      event('route', { ...KEY, url: 'https://a.example.com', is_active: true, revision: 3 }, '10') + event('ready', { resumed: true }, '11'),
    );
    await starting;

    await sleep(300); // pushed 300 ms ago, longer than staleIfErrorMs, but the stream has said nothing changed
    expect(await tm.resolve(KEY)).toMatchObject({ revision: 3, origin: 'memory' });
    expect((await tm.resolve(KEY)).ageMs).toBeLessThan(50);

    server.streams[0].end();
    await eventuallyTrue(() => tm.watchStates()[0].state !== 'in_sync');
    expect(await tm.resolve(KEY)).toMatchObject({ url: 'https://a.example.com', revision: 3, origin: 'stale' });
    await sleep(300);
    await expect(tm.resolve(KEY)).rejects.toBeInstanceOf(TrafficManagerUnavailableError);
    await tm.close();
  });
});

async function eventuallyTrue(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error('condition not reached');
}
