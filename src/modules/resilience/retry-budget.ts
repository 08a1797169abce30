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

export class RetryBudget {
  private calls: number[] = [];
  private retries: number[] = [];
  private totalRetries = 0;
  private denied = 0;

  constructor(
    readonly name: string,
    private readonly options: { percent: number; minRetries: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  recordCall(): void {
    this.calls.push(this.now());
  }

  // True (and counted) when a retry fits in the budget; false means: do not retry now.
  tryRetry(): boolean {
    this.prune();
    if (this.retries.length >= this.maxRetries()) {
      this.denied += 1;
      return false;
    }
    this.retries.push(this.now());
    this.totalRetries += 1;
    return true;
  }

  snapshot(): RetryBudgetSnapshot {
    this.prune();
    const max = this.maxRetries();
    return {
      name: this.name,
      current_retries: this.retries.length,
      max_retries: max,
      budget_used: max === 0 ? 100 : Math.round((this.retries.length / max) * 1000) / 10,
      total_retries: this.totalRetries,
      denied_retries: this.denied,
      window_seconds: this.options.windowMs / 1000,
      budget_remaining: Math.max(0, max - this.retries.length),
    };
  }

  private maxRetries(): number {
    return this.options.minRetries + Math.floor((this.calls.length * this.options.percent) / 100);
  }

  private prune(): void {
    const oldest = this.now() - this.options.windowMs;
    // Timestamps are appended in order, so the expired ones are a prefix.
    const firstCall = this.calls.findIndex((t) => t > oldest);
    this.calls = firstCall < 0 ? [] : this.calls.slice(firstCall);
    const firstRetry = this.retries.findIndex((t) => t > oldest);
    this.retries = firstRetry < 0 ? [] : this.retries.slice(firstRetry);
  }
}
