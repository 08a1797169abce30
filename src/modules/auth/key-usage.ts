import { Logger } from '@nestjs/common';
import { ThrottledLog } from '../../common/logging/throttled-log';

export interface KeyUsageOptions {
  // Writes all pending uses in one statement.
  write: (uses: ReadonlyMap<string, Date>) => Promise<void>;
  // The first use after a quiet period is written after this delay, together with whatever else
  // arrives meanwhile; never more than one write at a time.
  flushDelayMs: number;
}

// last_used_at, written in the background: the request path only puts the key id in a map. The
// caller decides how often a key is reported (at most once a minute per key and instance), so the
// writes stay one small UPDATE per flush whatever the request rate. A failed write is retried with
// the next flush; losing a last-use time (a crash) costs nothing but precision.
export class KeyUsage {
  private readonly logger = new Logger('KeyUsage');
  private readonly throttled = new ThrottledLog(this.logger);
  private pending = new Map<string, Date>();
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: KeyUsageOptions) {}

  record(id: string, at: Date): void {
    this.pending.set(id, at);
    if (!this.timer && !this.writing && !this.stopped) this.schedule();
  }

  get size(): number {
    return this.pending.size;
  }

  // Writes what is pending now (shutdown, tests) and stops scheduling.
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.flush();
  }

  async flush(): Promise<void> {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = this.options.write(batch).then(
      () => this.throttled.clear('write'),
      (err: unknown) => {
        // Put back what no newer use replaced meanwhile; written with the next flush.
        for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
        this.throttled.warn('write', `Could not record API key use (${(err as Error).message}); retrying`);
      },
    );
    await this.writing;
    this.writing = undefined;
    if (this.pending.size > 0 && !this.stopped) this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.flush(), this.options.flushDelayMs);
    this.timer.unref();
  }
}
