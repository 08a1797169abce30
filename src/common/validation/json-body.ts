import { ErrorDetail } from '../errors/domain.error';

const MAX_DEPTH = 8;

function depthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  return Object.values(value).some((child) => depthExceeds(child, limit - 1));
}

// What is wrong with a parsed JSON body before any field is looked at, if anything: it must be an
// object (not an array, a scalar or null) of sane depth (thousands of nested levels would overflow
// class-transformer's recursion and surface as a 500). No body at all is not a problem here: it is
// validated as {} (ValidationPipe's rule), so the answer names the missing fields. Used by the
// global validation pipe and by the routes served by plain Fastify handlers.
export function bodyShapeProblem(value: unknown): ErrorDetail | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { field: 'body', problem: 'must be a JSON object' };
  if (depthExceeds(value, MAX_DEPTH)) return { field: 'body', problem: `must not nest deeper than ${MAX_DEPTH} levels` };
  return undefined;
}
