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
      // One per tenant, on resolve's PostgreSQL reads: a share of the pool (null: no limit of its own).
      resolveTenant:
        env.RESOLVE_TENANT_DB_SHARE_PERCENT >= 100
          ? null
          : {
              concurrency: Math.max(1, Math.floor((env.DB_POOL_MAX * env.RESOLVE_TENANT_DB_SHARE_PERCENT) / 100)),
              queue: env.RESOLVE_TENANT_DB_QUEUE,
            },
    },
    drain: { delayMs: env.DRAIN_DELAY * 1000, timeoutMs: env.DRAIN_TIMEOUT * 1000 },
  };
});

export type ResilienceConfig = ReturnType<typeof resilienceConfig>;
