import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const mongoConfig = registerAs('mongo', () => {
  const env = loadEnv();
  const auth = env.MONGODB_USER && env.MONGODB_PASSWORD ? `${encodeURIComponent(env.MONGODB_USER)}:${encodeURIComponent(env.MONGODB_PASSWORD)}@` : '';
  const authSource = auth ? '&authSource=admin' : '';
  return {
    uri: `mongodb://${auth}${env.MONGODB_HOST}:${env.MONGODB_PORT}/${env.MONGODB_DB}?directConnection=true${authSource}`,
    auditCollection: env.MONGODB_AUDIT_COLLECTION,
    serverSelectionTimeoutMs: env.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
  };
});

export type MongoConfig = ReturnType<typeof mongoConfig>;
