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

// The four names, trimmed; a problem with any of them is appended to `details`.
export function routeKeyOf(source: Record<string, unknown>, details: ErrorDetail[]): RouteKey {
  const key = {} as Record<(typeof FIELDS)[number], string>;
  for (const field of FIELDS) {
    const raw = Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined;
    const problem = routeNameProblem(raw);
    if (problem) details.push({ field, problem });
    else key[field] = (raw as string).trim();
  }
  return key;
}

// One name's rule (RouteKeyDto's decorators): undefined when it is acceptable.
export function routeNameProblem(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return 'is required';
  if (typeof raw !== 'string') return 'must be a string';
  const value = raw.trim();
  if (!ROUTE_NAME_PATTERN.test(value)) return ROUTE_NAME_PROBLEM;
  if (ONLY_DOTS.test(value)) return 'must not consist of dots only';
  return undefined;
}
