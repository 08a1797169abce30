export const RATE_LIMIT_METRIC = {
  limited: 'rate_limited_total',
  storeFailures: 'rate_limit_store_failures_total',
} as const;

// Requests that address no tenant (a platform key listing every tenant, creating a platform key)
// share one bucket; "*" is not a valid tenant name, so it cannot collide with one.
export const SHARED_BUCKET = '*';

// Redis key prefix of the write counters (one key per tenant and window).
export const WRITE_COUNTER_PREFIX = 'tm:v1:ratelimit:writes:';
