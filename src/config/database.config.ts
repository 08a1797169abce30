import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const databaseConfig = registerAs('database', () => {
  const env = loadEnv();
  return {
    host: env.DB_HOST,
    port: env.DB_PORT,
    name: env.DB_NAME,
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    poolMin: env.DB_POOL_MIN,
    poolMax: env.DB_POOL_MAX,
    connectionTimeoutMs: env.DB_CONNECTION_TIMEOUT * 1000,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    writeGroupMax: env.DB_WRITE_GROUP_MAX,
    writeGroupConcurrency: env.DB_WRITE_GROUP_CONCURRENCY,
  };
});

export type DatabaseConfig = ReturnType<typeof databaseConfig>;
