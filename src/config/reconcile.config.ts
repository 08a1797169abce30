import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

// The cache reconciler's settings (the consumer process, with the cache_invalidation group).
export const reconcileConfig = registerAs('reconcile', () => {
  const env = loadEnv();
  return {
    // 0: the reconciler is off.
    intervalMs: env.CACHE_RECONCILE_INTERVAL_MS,
    batch: env.CACHE_RECONCILE_BATCH,
    graceMs: env.CACHE_RECONCILE_GRACE_MS,
  };
});
