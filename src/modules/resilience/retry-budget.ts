// A retry budget as in Envoy and gRPC: within a sliding window, retries may be at most a percentage
// of the calls made, plus a small floor so a quiet process can still retry. Every place that retries
// work against one dependency asks the same budget, so a failing dependency gets at most
// (1 + percent) times its normal load instead of a retry storm. No library implements this (cockatiel
// has retries and breakers, not budgets), hence our own ~50 lines.
export interface RetryBudgetSnapshot {
  name: string;
  current_retries: number;
  max_retries: number;
  budget_used: number;
  total_retries: number;
  denied_retries: number;
  window_seconds: number;
  budget_remaining: number;
}

// Counts in a sliding window of BUCKETS fixed buckets (a tenth of the window each): memory stays the
// same however many calls are made, and the window moves a bucket at a time. An earlier version kept
// a timestamp per call and pruned only when a retry was asked for, so a process that never retried
// kept every call it ever made.
const BUCKETS = 10;

class WindowCount {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  // The bucket number (time / bucketMs) each slot holds; -1 for none yet.
  private readonly stamps = new Array<number>(BUCKETS).fill(-1);

  constructor(private readonly bucketMs: number) {}

  add(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    const slot = bucket % BUCKETS;
    if (this.stamps[slot] !== bucket) {
      this.stamps[slot] = bucket;
      this.counts[slot] = 0;
    }
    this.counts[slot] += 1;
  }

  total(now: number): number {
    const current = Math.floor(now / this.bucketMs);
    let sum = 0;
    for (let slot = 0; slot < BUCKETS; slot++) if (this.stamps[slot] > current - BUCKETS) sum += this.counts[slot];
    return sum;
  }
}

export class RetryBudget {
  private readonly calls: WindowCount;
  private readonly retries: WindowCount;
  private totalRetries = 0;
  private denied = 0;

  constructor(
    readonly name: string,
    private readonly options: { percent: number; minRetries: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {
    const bucketMs = Math.max(1, options.windowMs / BUCKETS);
    this.calls = new WindowCount(bucketMs);
    this.retries = new WindowCount(bucketMs);
  }

  recordCall(): void {
    this.calls.add(this.now());
  }

  tryRetry(): boolean {
    const now = this.now();
    if (this.retries.total(now) >= this.maxRetries(now)) {
      this.denied += 1;
      return false;
    }
    this.retries.add(now);
    this.totalRetries += 1;
    return true;
  }

  snapshot(): RetryBudgetSnapshot {
    const now = this.now();
    const max = this.maxRetries(now);
    const current = this.retries.total(now);
    return {
      name: this.name,
      current_retries: current,
      max_retries: max,
      budget_used: max === 0 ? 100 : Math.round((current / max) * 1000) / 10,
      total_retries: this.totalRetries,
      denied_retries: this.denied,
      window_seconds: this.options.windowMs / 1000,
      budget_remaining: Math.max(0, max - current),
    };
  }

  private maxRetries(now: number): number {
    return this.options.minRetries + Math.floor((this.calls.total(now) * this.options.percent) / 100);
  }
}
