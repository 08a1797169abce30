import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const outboxConfig = registerAs('outbox', () => {
  const env = loadEnv();
  return {
    relayEnabled: env.OUTBOX_RELAY_ENABLED,
    pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    batchSize: env.OUTBOX_BATCH_SIZE,
    retentionHours: env.OUTBOX_RETENTION_HOURS,
  };
});

export type OutboxConfig = ReturnType<typeof outboxConfig>;
