import { readFileSync } from 'fs';
import { Session } from 'inspector';

// Why this exists (docs/design.md, "Memory"): V8 keeps the pages its collector frees in a pool for
// reuse, and Node never asks it to give them back. After the bench's load the API held 259-280 MB of
// RSS while V8 itself counted 77-94 MB of heap: the pool and the young generation's grown
// semi-spaces kept ~70 MB resident for as long as the process lived, loaded or not. V8 returns them
// on a "collect all available garbage" (what DevTools' collect-garbage button runs); Node has no API
// for it, so it is reached in-process through the inspector protocol's HeapProfiler.collectGarbage.
// No library does this; the decision around it (only when idle, only after real growth) is below.

// Runs the collection and returns once it is done. The pause is a few full collections (~120 ms for
// the API after the bench), which is why MemoryTrimPolicy only asks for it while the process is idle.
export function collectAllAvailableGarbage(): Promise<void> {
  const session = new Session();
  session.connect();
  return new Promise<void>((resolve, reject) => {
    session.post('HeapProfiler.collectGarbage', (err) => {
      // The callback runs inside the inspector's dispatch, which holds a lock that disconnect() takes
      // too: disconnecting here deadlocks the main thread (seen with Node 24.21), so it waits a tick.
      setImmediate(() => session.disconnect());
      if (err) reject(err);
      else resolve();
    });
  });
}

// Resident set size of this process in bytes, read from /proc (process.memoryUsage().rss walks the
// same file but also collects V8's heap statistics).
export function residentBytes(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? process.memoryUsage.rss() : Number(kb) * 1024;
}

export interface MemoryTrimOptions {
  // Busy share of the event loop (0..1) over the last interval at or below which the process is idle.
  idleBusyShare: number;
  // RSS growth above the lowest RSS seen since the last trim (or start) that makes a trim worth it.
  minGrowthBytes: number;
}

export interface MemoryTrimDeps {
  // Share of time the event loop was busy since the previous call (0..1).
  busyShare(): number;
  residentBytes(): number;
  release(): Promise<void>;
  now(): number;
}

export type TrimOutcome =
  | { result: 'trimmed'; beforeBytes: number; afterBytes: number; pauseMs: number; busyShare: number }
  | { result: 'failed'; error: Error; pauseMs: number };

// Decides, once per interval, whether to give freed memory back: only when the process has been
// (nearly) idle for the whole interval, so the pause lands on no load, and only when RSS has grown by
// at least minGrowthBytes above its lowest point since the last trim, so a process whose memory is
// live is not collected over and over for nothing.
export class MemoryTrimPolicy {
  private baseline: number;
  private running = false;

  constructor(
    private readonly options: MemoryTrimOptions,
    private readonly deps: MemoryTrimDeps,
  ) {
    this.baseline = deps.residentBytes();
    deps.busyShare(); // starts the first interval
  }

  async check(): Promise<TrimOutcome | undefined> {
    if (this.running) return undefined;
    const busy = this.deps.busyShare();
    const rss = this.deps.residentBytes();
    if (rss < this.baseline) this.baseline = rss;
    if (busy > this.options.idleBusyShare || rss - this.baseline < this.options.minGrowthBytes) return undefined;
    this.running = true;
    const started = this.deps.now();
    try {
      await this.deps.release();
      const after = this.deps.residentBytes();
      this.baseline = after;
      return { result: 'trimmed', beforeBytes: rss, afterBytes: after, pauseMs: this.deps.now() - started, busyShare: busy };
    } catch (err) {
      // Not retried until RSS grows again by minGrowthBytes.
      this.baseline = rss;
      return { result: 'failed', error: err as Error, pauseMs: this.deps.now() - started };
    } finally {
      this.running = false;
      this.deps.busyShare(); // the trim's own pause is not load
    }
  }
}
