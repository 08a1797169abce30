import { registerAs } from '@nestjs/config';
import { EnvironmentVariables, loadEnv } from './env.validation';

// The platform-admin key of ENVIRONMENT=development when AUTH_BOOTSTRAP_ADMIN_KEY is unset, so the
// README quick start stays one command. Public knowledge: refused everywhere else.
export const DEVELOPMENT_ADMIN_KEY = 'tm-dev-admin-key';

export type OperationalAccess = 'open' | 'key';

export interface AuthSettings {
  // Null only if no bootstrap key is configured, which authSettings() allows in development only
  // (where the development key takes its place), so in practice always set.
  bootstrapKey: string | null;
  usesDevelopmentKey: boolean;
  keyCacheTtlMs: number;
  metrics: OperationalAccess;
  docs: OperationalAccess;
}

// Loaded by the API only (AuthModule): the consumer process and the migration CLI have no use for
// a key, so they do not refuse to start without one.
export function authSettings(env: EnvironmentVariables): AuthSettings {
  const development = env.ENVIRONMENT === 'development';
  const configured = env.AUTH_BOOTSTRAP_ADMIN_KEY;
  if (!development && (configured === undefined || configured === DEVELOPMENT_ADMIN_KEY)) {
    // staging and test too: every environment but a developer's machine holds real data or runs like one.
    throw new Error(
      `Invalid configuration:\n  AUTH_BOOTSTRAP_ADMIN_KEY: required with ENVIRONMENT=${env.ENVIRONMENT} ` +
        '(32-256 visible ASCII characters, e.g. `openssl rand -base64 33`); the development key is accepted only with ENVIRONMENT=development',
    );
  }
  const defaultAccess: OperationalAccess = development ? 'open' : 'key';
  return {
    bootstrapKey: configured ?? (development ? DEVELOPMENT_ADMIN_KEY : null),
    usesDevelopmentKey: configured === undefined && development,
    keyCacheTtlMs: env.AUTH_KEY_CACHE_TTL_MS,
    metrics: (env.METRICS_AUTH as OperationalAccess | undefined) ?? defaultAccess,
    docs: (env.DOCS_AUTH as OperationalAccess | undefined) ?? defaultAccess,
  };
}

export const authConfig = registerAs('auth', () => authSettings(loadEnv()));

export type AuthConfig = ReturnType<typeof authConfig>;
