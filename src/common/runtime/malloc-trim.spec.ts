import { Counter, Histogram, Registry } from 'prom-client';
import { loadMallocTrim, MallocTrimmer, TrimCall, TrimLoader } from './malloc-trim';

function trimmer(intervalMs: number, load: TrimLoader) {
  const registry = new Registry();
  const duration = new Histogram({ name: 'trim_seconds', help: 'h', buckets: [0.001, 1], registers: [registry] });
  const released = new Counter({ name: 'trim_released', help: 'h', registers: [registry] });
  const app = { mallocTrimIntervalMs: intervalMs } as ConstructorParameters<typeof MallocTrimmer>[0];
  const observations = async () => (await duration.get()).values.find((v) => v.metricName === 'trim_seconds_count')?.value ?? 0;
  return { service: new MallocTrimmer(app, duration, released, load), observations };
}

// A trim call that finishes when the test says so.
function controlledTrim() {
  const pending: Array<(err: unknown, result: number) => void> = [];
  const call: TrimCall = (done) => void pending.push(done);
  return { call, pending };
}

describe('MallocTrimmer', () => {
  afterEach(() => jest.useRealTimers());

  it('with an interval of 0 never loads malloc_trim', async () => {
    const load = jest.fn<ReturnType<TrimLoader>, []>();
    const { service } = trimmer(0, load);
    await service.onApplicationBootstrap();
    expect(load).not.toHaveBeenCalled();
    expect(service.active).toBe(false);
  });

  it('stays off when malloc_trim is not available, and says why', async () => {
    const { service } = trimmer(1000, async () => 'there is no malloc_trim on darwin');
    await service.onApplicationBootstrap();
    expect(service.active).toBe(false);
    service.tick();
  });

  it('trims every interval, never two at once, and times each finished trim', async () => {
    jest.useFakeTimers();
    const trim = controlledTrim();
    const { service, observations } = trimmer(1000, async () => trim.call);
    await service.onApplicationBootstrap();
    expect(service.active).toBe(true);
    expect(trim.pending).toHaveLength(0);
    jest.advanceTimersByTime(1000);
    expect(trim.pending).toHaveLength(1);
    jest.advanceTimersByTime(3000);
    expect(trim.pending).toHaveLength(1); // the first one has not finished
    trim.pending[0](null, 1);
    expect(await observations()).toBe(1);
    jest.advanceTimersByTime(1000);
    expect(trim.pending).toHaveLength(2);
    trim.pending[1](new Error('boom'), 0); // logged, not counted, and the next tick trims again
    expect(await observations()).toBe(1);
    jest.advanceTimersByTime(1000);
    expect(trim.pending).toHaveLength(3);
    service.onApplicationShutdown();
    jest.advanceTimersByTime(5000);
    expect(trim.pending).toHaveLength(3);
    expect(service.active).toBe(false);
  });

  it('does not start when the process is shut down while malloc_trim loads', async () => {
    let resolveLoad!: (call: TrimCall) => void;
    const { service } = trimmer(1000, () => new Promise((resolve) => (resolveLoad = resolve)));
    const boot = service.onApplicationBootstrap();
    service.onApplicationShutdown();
    resolveLoad(controlledTrim().call);
    await boot;
    expect(service.active).toBe(false);
  });

  // The real thing on this machine (Linux with glibc, as the container image): koffi finds
  // malloc_trim and a call runs off the event loop and answers 0 or 1.
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
  (glibc ? it : it.skip)(`loads glibc's malloc_trim and calls it off the event loop (glibc ${glibc})`, async () => {
    const trim = await loadMallocTrim();
    if (typeof trim === 'string') throw new Error(trim);
    const result = await new Promise<number>((resolve, reject) => trim((err, r) => (err ? reject(err) : resolve(r))));
    expect([0, 1]).toContain(result);
  });
});
