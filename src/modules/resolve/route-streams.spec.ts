import { Gauge } from 'prom-client';
import { ALL_TENANTS, TenantScope } from '../../contracts/principal';
import { InvalidationBus } from '../../infra/redis/invalidation-bus';
import { DrainState } from '../resilience';
import { RouteRecord, RoutesRepository } from '../route-store';
import { MAX_BUFFERED, REPLAY_LIMIT, RouteStreams, StreamSink } from './route-streams';
import { parseWatchRequest } from './watch-route';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 12, 0, 0, ms));
const record = (version: string, revision: number, overrides: Partial<RouteRecord> = {}): RouteRecord => ({
  id: 1,
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version,
  url: `https://${version}-${revision}.example.com`,
  isActive: true,
  revision,
  createdAt: at(0),
  updatedAt: at(revision),
  ...overrides,
});

class FakeSink implements StreamSink {
  frames: string[] = [];
  ended = false;
  buffered = 0;
  writes = 0;
  // One write may carry several frames (a batch): kept frame by frame.
  write(chunk: string): void {
    this.writes += 1;
    for (const frame of chunk.split('\n\n').filter(Boolean)) this.frames.push(`${frame}\n\n`);
  }
  drained(): Promise<void> {
    return Promise.resolve();
  }
  end(): void {
    this.ended = true;
  }
  events(kind: string): any[] {
    return this.frames.filter((f) => f.includes(`event: ${kind}\n`)).map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)));
  }
}

function setup(state: Map<string, RouteRecord> = new Map()) {
  const repository = {
    findMany: jest.fn(async (keys: Array<{ tenant: string; service: string; env: string; version: string }>) => {
      const found = new Map<string, RouteRecord>();
      for (const k of keys) {
        const id = `${k.tenant}:${k.service}:${k.env}:${k.version}`;
        if (state.has(id)) found.set(id, state.get(id)!);
      }
      return found;
    }),
    changedSince: jest.fn(async () => [] as RouteRecord[]),
  };
  const bus = { live: true, listen: jest.fn() } as unknown as InvalidationBus;
  const drainListeners: Array<() => void> = [];
  const drain = { onBegin: (listener: () => void) => drainListeners.push(listener) } as unknown as DrainState;
  const gauge = { set: jest.fn() } as unknown as Gauge<string>;
  const streams = new RouteStreams(bus, repository as unknown as RoutesRepository, drain, { maxWatchStreams: 2 } as never, gauge);
  streams.onModuleInit();
  const change = (route: RouteRecord) => {
    state.set(`${route.tenant}:${route.service}:${route.env}:${route.version}`, route);
    streams.onInvalidation(`${route.revision}|${route.tenant}:${route.service}:${route.env}:${route.version}`);
  };
  const openStream = async (scope: TenantScope, filter = {}, since?: Date) => {
    const sink = new FakeSink();
    const prepared = await streams.open(scope, filter, sink, since);
    return { sink, prepared };
  };
  return { streams, repository, change, openStream, drainListeners };
}

describe('RouteStreams', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('should send ready first, then each announced change once per revision, to the streams whose filter matches', async () => {
    const { streams, change, openStream, repository } = setup();
    const all = await openStream(ALL_TENANTS);
    const staging = await openStream(ALL_TENANTS, { env: 'staging' });
    await streams.start(all.prepared);
    await streams.start(staging.prepared);

    change(record('v1', 1));
    change(record('v1', 1)); // announced again (the cache_invalidation group)
    change(record('v2', 1, { env: 'staging' }));
    await jest.advanceTimersByTimeAsync(30);
    change(record('v1', 1));
    await jest.advanceTimersByTimeAsync(30);

    expect(all.sink.frames[0]).toBe('retry: 2000\n\n');
    expect(all.sink.events('ready')).toEqual([{ resumed: false, replayed: 0 }]);
    expect(all.sink.events('route').map((e) => [e.version, e.env, e.revision])).toEqual([
      ['v1', 'prod', 1],
      ['v2', 'staging', 1],
    ]);
    expect(staging.sink.events('route').map((e) => e.version)).toEqual(['v2']);
    expect(repository.findMany).toHaveBeenCalledTimes(1); // one read per batch; the repeat read nothing new
    expect(all.sink.writes).toBe(3); // retry, ready, then one write for the batch's two events
    expect(all.sink.frames.find((f) => f.includes('event: route'))).toMatch(/^id: \d+\nevent: route\ndata: /);
  });

  it('should send the changes of a batch in the order they were made, whatever order they are read in', async () => {
    const { streams, change, openStream, repository } = setup();
    const all = await openStream(ALL_TENANTS);
    await streams.start(all.prepared);
    const [v1, v2, v3] = [
      record('v1', 1, { id: 1, updatedAt: at(30) }),
      record('v2', 1, { id: 2, updatedAt: at(10) }),
      record('v3', 1, { id: 3, updatedAt: at(10) }),
    ];
    repository.findMany.mockResolvedValueOnce(new Map([v1, v3, v2].map((r) => [`${r.tenant}:${r.service}:${r.env}:${r.version}`, r])));

    for (const route of [v1, v2, v3]) change(route);
    await jest.advanceTimersByTimeAsync(30);

    const sent = all.sink.events('route');
    expect(sent.map((e) => e.version)).toEqual(['v2', 'v3', 'v1']);
  });

  it("should keep a tenant scope to its tenant, and send nothing for another tenant's filter", async () => {
    const { streams, change, openStream } = setup();
    const own = await openStream({ tenant: 'team-a' });
    const foreign = await openStream({ tenant: 'team-a' }, { tenant: 'team-b' });
    await streams.start(own.prepared);
    await streams.start(foreign.prepared);

    change(record('v1', 1, { tenant: 'team-b' }));
    change(record('v1', 1));
    await jest.advanceTimersByTimeAsync(30);

    expect(own.sink.events('route').map((e) => e.tenant)).toEqual(['team-a']);
    expect(foreign.sink.events('route')).toEqual([]);
  });

  it('should replay before ready, then send changes that arrived meanwhile unless the replay had them', async () => {
    const { streams, change, openStream, repository } = setup();
    repository.changedSince.mockResolvedValueOnce([record('v1', 3), record('v2', 1)]);
    const resumed = await openStream(ALL_TENANTS, {}, at(500));
    change(record('v1', 3)); // already in the replay
    change(record('v3', 1)); // new
    await jest.advanceTimersByTimeAsync(30);
    await streams.start(resumed.prepared);

    expect(repository.changedSince).toHaveBeenCalledWith(ALL_TENANTS, {}, new Date(at(500).getTime() - 60_000), REPLAY_LIMIT + 1);
    expect(resumed.sink.frames.map((f) => f.match(/event: (\w+)/)?.[1] ?? 'retry')).toEqual(['retry', 'route', 'route', 'ready', 'route']);
    expect(resumed.sink.events('route').map((e) => [e.version, e.revision])).toEqual([
      ['v1', 3],
      ['v2', 1],
      ['v3', 1],
    ]);
    expect(resumed.sink.events('ready')).toEqual([{ resumed: true, replayed: 2 }]);
  });

  it('should answer reset and end the stream when there is more to replay than the limit', async () => {
    const { streams, openStream, repository } = setup();
    repository.changedSince.mockResolvedValueOnce(Array.from({ length: REPLAY_LIMIT + 1 }, (_, i) => record(`v${i}`, 1)));
    const resumed = await openStream(ALL_TENANTS, {}, at(0));
    await streams.start(resumed.prepared);

    expect(resumed.sink.events('reset')).toHaveLength(1);
    expect(resumed.sink.events('route')).toEqual([]);
    expect(resumed.sink.ended).toBe(true);
    expect(streams.size).toBe(0);
  });

  it('should cut off a client too far behind, and end every stream when draining begins or the channel resets', async () => {
    const { streams, change, openStream, drainListeners } = setup();
    const slow = await openStream(ALL_TENANTS);
    const other = await openStream(ALL_TENANTS);
    await streams.start(slow.prepared);
    await streams.start(other.prepared);
    slow.sink.buffered = MAX_BUFFERED + 1;

    change(record('v1', 1));
    await jest.advanceTimersByTimeAsync(30);

    expect(slow.sink.ended).toBe(true);
    expect(other.sink.ended).toBe(false);
    expect(streams.size).toBe(1);
    drainListeners.forEach((listener) => listener());
    expect(other.sink.ended).toBe(true);
    expect(streams.size).toBe(0);

    const again = await openStream(ALL_TENANTS);
    streams.onReset();
    expect(again.sink.ended).toBe(true);
  });

  it('should say when it cannot take another stream: the channel is down, or it holds its maximum', async () => {
    const { streams, openStream } = setup();
    expect(streams.accepting).toBe('yes');
    await openStream(ALL_TENANTS);
    await openStream(ALL_TENANTS);
    expect(streams.accepting).toBe('full');
  });

  it('should keep reading a batch that failed, and send it once the read works', async () => {
    const { streams, change, openStream, repository } = setup();
    const stream = await openStream(ALL_TENANTS);
    await streams.start(stream.prepared);
    repository.findMany.mockRejectedValueOnce(new Error('database down'));

    change(record('v1', 1));
    await jest.advanceTimersByTimeAsync(30);
    expect(stream.sink.events('route')).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);

    expect(stream.sink.events('route').map((e) => e.version)).toEqual(['v1']);
  });
});

describe('parseWatchRequest', () => {
  it('should take optional tenant, service and env filters (trimmed) and a Last-Event-ID in milliseconds', () => {
    expect(parseWatchRequest({ query: { tenant: ' team-a ', env: 'prod' }, headers: { 'last-event-id': '1764770520123' } })).toEqual({
      filter: { tenant: 'team-a', env: 'prod' },
      since: new Date(1764770520123),
    });
    expect(parseWatchRequest({ query: {}, headers: {} })).toEqual({ filter: {}, since: undefined });
    expect(parseWatchRequest({ query: {}, headers: { 'last-event-id': '0' } }).since).toEqual(new Date(0));
  });

  it.each([
    [{ version: 'v1' }, {}, 'version', 'is not an accepted field'],
    [{ tenant: 'team:a' }, {}, 'tenant', expect.stringContaining('must be 1-128 characters')],
    [{ service: ['a', 'b'] }, {}, 'service', 'must be a string'],
    [{ env: '..' }, {}, 'env', 'must not consist of dots only'],
    [{}, { 'last-event-id': 'abc' }, 'Last-Event-ID', expect.stringContaining('milliseconds')],
    [{}, { 'last-event-id': '-5' }, 'Last-Event-ID', expect.stringContaining('milliseconds')],
    [{}, { 'last-event-id': '1234567890123456' }, 'Last-Event-ID', expect.stringContaining('milliseconds')],
  ])('should refuse query %j with headers %j, naming %s', (query, headers, field, problem) => {
    expect(parseWatchRequest({ query, headers }).problems).toEqual([{ field, problem }]);
  });
});
