import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const webhooksConfig = registerAs('webhooks', () => {
  const env = loadEnv();
  return {
    allowHttp: env.WEBHOOK_ALLOW_HTTP,
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: env.WEBHOOK_RETRY_MAX_MS,
    concurrency: env.WEBHOOK_CONCURRENCY,
    retentionHours: env.WEBHOOK_DELIVERY_RETENTION_HOURS,
    maxPerTenant: env.WEBHOOK_MAX_PER_TENANT,
    disableAfterMs: env.WEBHOOK_DISABLE_AFTER_MS,
  };
});

export type WebhooksConfig = ReturnType<typeof webhooksConfig>;
