import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const AUTH_FAILURES_METRIC = 'auth_failures_total';

// Why a request was refused: missing (no key), malformed (not a key of any kind, or too long), unknown
// (no such key, or a wrong secret), expired, revoked (all 401), forbidden (role or scope too weak, 403).
export const AUTH_FAILURE_REASONS = ['missing', 'malformed', 'unknown', 'expired', 'revoked', 'forbidden'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

// Registered only by the API (AuthModule), so each process exposes only its own metrics.
export const AUTH_METRICS = [
  makeCounterProvider({ name: AUTH_FAILURES_METRIC, help: 'Requests refused by authentication or authorization', labelNames: ['reason'] }),
];
