import { randomUUID } from 'crypto';

export const CORRELATION_HEADER = 'x-correlation-id';

export const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;
export const CORRELATION_ID_PROBLEM = 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-" (a correlation id)';

// A caller's id is kept only when it cannot break logs, headers or cache keys; otherwise we mint one.
export function acceptCorrelationId(raw: unknown): { id: string; provided: boolean } {
  // A repeated header is ambiguous, so it is treated like an unsafe one.
  if (typeof raw === 'string' && SANE_ID.test(raw)) return { id: raw, provided: true };
  return { id: randomUUID(), provided: false };
}
