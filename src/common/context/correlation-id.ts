import { randomUUID } from 'crypto';

export const CORRELATION_HEADER = 'x-correlation-id';

const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

// A caller's id is kept only when it cannot break logs, headers or cache keys; otherwise we mint one.
export function acceptCorrelationId(raw: unknown): { id: string; provided: boolean } {
  // A repeated header is ambiguous, so it is treated like an unsafe one.
  if (typeof raw === 'string' && SANE_ID.test(raw)) return { id: raw, provided: true };
  return { id: randomUUID(), provided: false };
}
