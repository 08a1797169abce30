import { ErrorDetail } from '../../common/errors/domain.error';

// Read-your-writes across instances: a client that changed a route got its revision in the write's
// answer; sending it as X-Min-Revision makes any instance answer with that revision or a later one
// (ResolveService.resolve), instead of what its caches held for the few milliseconds before the
// change reached them.
export const MIN_REVISION_HEADER = 'x-min-revision';
// The revision column is a PostgreSQL integer.
const MAX_REVISION = 2_147_483_647;
const DIGITS = /^[0-9]{1,10}$/;
const PROBLEM: ErrorDetail = { field: 'X-Min-Revision', problem: `must be a whole number from 0 to ${MAX_REVISION}` };

export type MinRevisionResult = { revision: number; problem?: undefined } | { revision?: undefined; problem: ErrorDetail };

// Only decimal digits (no sign, exponent, fraction or second value), within the column's range.
export function parseMinRevision(value: string | string[]): MinRevisionResult {
  if (typeof value !== 'string') return { problem: PROBLEM };
  const trimmed = value.trim();
  if (!DIGITS.test(trimmed)) return { problem: PROBLEM };
  const revision = Number(trimmed);
  return revision <= MAX_REVISION ? { revision } : { problem: PROBLEM };
}
