import { HttpResult } from './http';

export interface Outcome {
  startedAt: number;
  finishedAt: number;
  result?: HttpResult;
  // A request that got no HTTP answer at all (refused, reset, timed out).
  error?: string;
}

// A few workers sending one request after another, each pausing between requests so the load stays
// modest on a shared machine. Records every outcome; a worker stops when `until` says so.
export class SteadyLoad {
  readonly outcomes: Outcome[] = [];
  private stopped = false;
  private readonly workers: Promise<void>[];

  constructor(request: (n: number) => Promise<HttpResult>, options: { workers: number; pauseMs: number; until?: (outcome: Outcome) => boolean }) {
    let n = 0;
    this.workers = Array.from({ length: options.workers }, async () => {
      while (!this.stopped) {
        const outcome: Outcome = { startedAt: Date.now(), finishedAt: 0 };
        try {
          outcome.result = await request(n++);
        } catch (err) {
          outcome.error = String((err as Error & { cause?: Error }).cause ?? err);
        }
        outcome.finishedAt = Date.now();
        this.outcomes.push(outcome);
        if (options.until?.(outcome)) return;
        await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    });
  }

  between(from: number, to = Infinity): Outcome[] {
    return this.outcomes.filter((o) => o.startedAt >= from && o.startedAt < to);
  }

  async stop(): Promise<Outcome[]> {
    this.stopped = true;
    await Promise.all(this.workers);
    return this.outcomes;
  }

  // Workers that ended by themselves (`until`) are finished too.
  async finished(): Promise<Outcome[]> {
    await Promise.all(this.workers);
    return this.outcomes;
  }
}

// A compact view of the outcomes that were not the expected status, for readable failures.
export function unexpected(outcomes: Outcome[], ok: (o: Outcome) => boolean): string[] {
  return outcomes.filter((o) => !ok(o)).map((o) => o.error ?? `${o.result?.status} ${o.result?.text.slice(0, 200)}`);
}
