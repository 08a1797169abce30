import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { appConfig } from '../../config/app.config';
import { ThrottledLog } from '../logging/throttled-log';
import { METRIC } from '../metrics/metric-names';

// One call of glibc's malloc_trim(0), off the event loop; `done` gets its result (1: memory was
// released) or the error.
export type TrimCall = (done: (err: unknown, result: number) => void) => void;
// Loads the call, or says why it is not available.
export type TrimLoader = () => Promise<TrimCall | string>;
export const MALLOC_TRIM_LOADER = Symbol('MALLOC_TRIM_LOADER');

// glibc's malloc_trim through koffi (an FFI library with prebuilt binaries: nothing is compiled at
// install). koffi's `async` runs the call on a libuv worker thread, so the event loop never waits for
// it; glibc takes each arena's lock in turn while it trims that arena. Elsewhere (musl, macOS,
// Windows) there is no malloc_trim and nothing to do: the trimmer stays off and says why.
export const loadMallocTrim: TrimLoader = async () => {
  if (process.platform !== 'linux') return `there is no malloc_trim on ${process.platform}`;
  try {
    const koffi = await import('koffi');
    const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return (done) => trim.async(0, done);
  } catch (err) {
    return `glibc's malloc_trim could not be loaded (${(err as Error).message})`;
  }
};

// Hands the C heap's free memory back to the kernel every MALLOC_TRIM_INTERVAL_MS (0: never).
// glibc's free() returns memory to the kernel only from the top of an arena; free pages in the middle
// of one (left by buffers, TLS records, V8's compiler zones and parser memory that came and went) stay
// resident until malloc_trim is called. After the bench (docs/design.md, "Memory") the API held 69 MB
// from malloc with 38 MB in use, and one malloc_trim(0) took its RSS from 281 to 254 MB. A page given
// back costs a page fault when it is used again, nothing more: unlike a memory-reducing V8 collection
// it throws away no optimized code. Why not jemalloc: LD_PRELOAD of Debian's libjemalloc2 left the
// same RSS (260 against 258 MB) and needs a system package; why not a native addon of our own: it
// needs a compiler wherever the project is installed.
@Injectable()
export class MallocTrimmer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MallocTrimmer.name);
  private readonly throttled = new ThrottledLog(this.logger);
  private timer?: NodeJS.Timeout;
  private trim?: TrimCall;
  private running = false;
  private stopped = false;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @InjectMetric(METRIC.mallocTrim) private readonly duration: Histogram,
    @InjectMetric(METRIC.mallocTrimReleased) private readonly released: Counter,
    @Optional() @Inject(MALLOC_TRIM_LOADER) private readonly load: TrimLoader = loadMallocTrim,
  ) {}

  // Whether trims are scheduled (the interval is not 0 and malloc_trim was found).
  get active(): boolean {
    return this.timer !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const interval = this.app.mallocTrimIntervalMs;
    if (interval === 0) return;
    const trim = await this.load();
    if (typeof trim === 'string') {
      this.logger.log(`Not trimming the C heap: ${trim}`);
      return;
    }
    if (this.stopped) return;
    this.trim = trim;
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  // One trim, unless the previous one is still running. What it gave back is estimated from RSS before
  // and after (other allocation in between counts too, so it is a lower bound while the process grows).
  tick(): void {
    if (this.running || !this.trim) return;
    this.running = true;
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    this.trim((err) => {
      this.running = false;
      if (err) {
        this.throttled.warn('failed', `malloc_trim failed: ${(err as Error).message ?? String(err)}`);
        return;
      }
      this.duration.observe((performance.now() - started) / 1000);
      const given = rssBefore - process.memoryUsage.rss();
      if (given > 0) this.released.inc(given);
    });
  }
}
