import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

const PINO_LEVELS: Record<string, string> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  WARN: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
  FATAL: 'fatal',
};

export const appConfig = registerAs('app', () => {
  const env = loadEnv();
  return {
    environment: env.ENVIRONMENT,
    logLevel: PINO_LEVELS[env.LOG_LEVEL],
    logFlushIntervalMs: env.LOG_FLUSH_INTERVAL_MS,
    host: env.API_HOST,
    port: env.API_PORT,
    consumerPort: env.CONSUMER_PORT,
    mallocTrimIntervalMs: env.MALLOC_TRIM_INTERVAL_MS,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;
