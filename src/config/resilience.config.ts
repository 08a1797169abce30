import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const resilienceConfig = registerAs('resilience', () => {
  const env = loadEnv();
  return {
    breaker: { failureThreshold: env.BREAKER_FAILURE_THRESHOLD, halfOpenAfterMs: env.BREAKER_HALF_OPEN_AFTER_MS },
    retryBudget: { percent: env.RETRY_BUDGET_PERCENT, minRetries: env.RETRY_BUDGET_MIN_RETRIES, windowMs: 10_000 },
    bulkheads: {
      resolve: { concurrency: env.BULKHEAD_RESOLVE_CONCURRENCY, queue: env.BULKHEAD_RESOLVE_QUEUE },
      writes: { concurrency: env.BULKHEAD_WRITES_CONCURRENCY, queue: env.BULKHEAD_WRITES_QUEUE },
      audit: { concurrency: env.BULKHEAD_AUDIT_CONCURRENCY, queue: env.BULKHEAD_AUDIT_QUEUE },
    },
    drain: { delayMs: env.DRAIN_DELAY * 1000, timeoutMs: env.DRAIN_TIMEOUT * 1000 },
  };
});

export type ResilienceConfig = ReturnType<typeof resilienceConfig>;
