import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';
import { parseTenantOverrides } from './rate-limit-overrides';

// Per-tenant request limits per window: reads per API instance, writes across all instances
// (docs/design.md, "Rate limits").
export const rateLimitConfig = registerAs('rateLimit', () => {
  const env = loadEnv();
  return {
    windowMs: env.RATE_LIMIT_WINDOW_MS,
    reads: env.RATE_LIMIT_READS,
    writes: env.RATE_LIMIT_WRITES,
    // Already validated by loadEnv, so this parse cannot fail.
    overrides: parseTenantOverrides(env.RATE_LIMIT_TENANT_OVERRIDES ?? '').overrides ?? [],
  };
});

export type RateLimitConfig = ReturnType<typeof rateLimitConfig>;
