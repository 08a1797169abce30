import { ErrorDetail } from '../errors/domain.error';
import { RouteKey } from '../../contracts/route-key';
import { ROUTE_NAME_PATTERN, ROUTE_NAME_PROBLEM } from './route-name.decorator';

export const FIELDS = ['tenant', 'service', 'env', 'version'] as const;
const ONLY_DOTS = /^\.+$/;

export type RouteKeyQueryResult = { key: RouteKey; details?: undefined } | { key?: undefined; details: ErrorDetail[] };

// The resolve query's four names, checked by hand: the same rules and messages as RouteKeyDto under
// the global ValidationPipe (trimmed; required; a string; the name pattern; not dots only; every
// other own key refused), at a fraction of class-transformer + class-validator's cost per request.
export function parseRouteKeyQuery(query: unknown): RouteKeyQueryResult {
  const source = (query ?? {}) as Record<string, unknown>;
  const details = unknownFields(source, FIELDS);
  const key = routeKeyOf(source, details);
  return details.length ? { details } : { key };
}

// Every own key of `source` not in `accepted`, in the order the client sent them.
export function unknownFields(source: Record<string, unknown>, accepted: readonly string[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const field of Object.keys(source)) {
    if (!accepted.includes(field)) details.push({ field, problem: 'is not an accepted field' });
  }
  return details;
}

// The four names, trimmed; a problem with any of them is appended to `details` (in FIELDS' order),
// and the key is then not to be used. Built as one literal, so every key has the same shape (a
// property store by a variable name made this the hot path's most megamorphic store, perf).
export function routeKeyOf(source: Record<string, unknown>, details: ErrorDetail[]): RouteKey {
  return {
    tenant: nameOf(source, 'tenant', details),
    service: nameOf(source, 'service', details),
    env: nameOf(source, 'env', details),
    version: nameOf(source, 'version', details),
  };
}

function nameOf(source: Record<string, unknown>, field: (typeof FIELDS)[number], details: ErrorDetail[]): string {
  const raw = Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined;
  const problem = routeNameProblem(raw);
  if (!problem) return (raw as string).trim();
  details.push({ field, problem });
  return '';
}

// One name's rule (RouteKeyDto's decorators): undefined when it is acceptable.
export function routeNameProblem(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return 'is required';
  if (typeof raw !== 'string') return 'must be a string';
  const value = raw.trim();
  if (!ROUTE_NAME_PATTERN.test(value)) return ROUTE_NAME_PROBLEM;
  // Only a name that starts with a dot can be dots only: one comparison instead of a regex per name.
  if (value.charCodeAt(0) === 46 && ONLY_DOTS.test(value)) return 'must not consist of dots only';
  return undefined;
}
