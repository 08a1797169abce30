import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

// How long the HTTP server waits for a client; docs/design.md gives the reasons for the defaults.
export const httpConfig = registerAs('http', () => {
  const env = loadEnv();
  return {
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: env.HTTP_BODY_TIMEOUT_MS,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    // Empty: CORS is off (no browser on another origin may call the API).
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    corsMaxAgeSeconds: env.CORS_MAX_AGE_SECONDS,
  };
});

export type HttpConfig = ReturnType<typeof httpConfig>;
