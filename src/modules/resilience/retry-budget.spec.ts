import { RetryBudget } from './retry-budget';

describe(RetryBudget.name, () => {
  let now: number;
  const make = () => new RetryBudget('database', { percent: 20, minRetries: 2, windowMs: 10_000 }, () => now);

  beforeEach(() => (now = 1_000_000));

  it('should allow the floor of retries with no calls at all', () => {
    const budget = make();

    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    expect(budget.snapshot()).toMatchObject({ current_retries: 2, max_retries: 2, denied_retries: 1, budget_remaining: 0 });
  });

  it('should allow retries up to the percentage of recent calls plus the floor', () => {
    const budget = make();
    for (let i = 0; i < 50; i++) budget.recordCall();

    let allowed = 0;
    while (budget.tryRetry()) allowed++;

    expect(allowed).toBe(2 + 10);
  });

  it('should forget calls and retries older than the window', () => {
    const budget = make();
    for (let i = 0; i < 50; i++) budget.recordCall();
    while (budget.tryRetry());
    now += 10_001;

    expect(budget.snapshot()).toMatchObject({ current_retries: 0, max_retries: 2, total_retries: 12 });
    expect(budget.tryRetry()).toBe(true);
  });

  it('should count only the last window of calls when calls keep coming and nothing retries', () => {
    const budget = make();
    // 50 calls a second for a minute, no retry in between: only about the last 10 s count.
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 50; i++) budget.recordCall();
      now += 1_000;
    }

    const { max_retries } = budget.snapshot();
    // 2 + 20 % of the calls in the window (9 or 10 one-second buckets of 50 calls, by bucket edges).
    expect(max_retries).toBeGreaterThanOrEqual(2 + 90);
    expect(max_retries).toBeLessThanOrEqual(2 + 100);
  });

  it('should let retries back in as the window moves past them', () => {
    const budget = make();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([true, true, false]);
    now += 5_000;
    expect(budget.tryRetry()).toBe(false);
    now += 5_001;
    expect(budget.tryRetry()).toBe(true);
  });
});
