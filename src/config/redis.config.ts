import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const redisConfig = registerAs('redis', () => {
  const env = loadEnv();
  return {
    host: env.REDIS_HOST,
    port: env.REDIS_PORT,
    db: env.REDIS_DB,
    password: env.REDIS_PASSWORD,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    positiveTtlSeconds: env.CACHE_POSITIVE_TTL,
    negativeTtlSeconds: env.CACHE_NEGATIVE_TTL,
  };
});

export type RedisConfig = ReturnType<typeof redisConfig>;
