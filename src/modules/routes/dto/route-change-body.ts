import { HandValidated } from '../../../common/validation/hand-validators';
import { FIELDS, routeKeyOf, unknownFields } from '../../../common/validation/route-key-query';
import { RouteKey } from '../../../contracts/route-key';
import { EXPECTED_REVISION_FIELD, expectedRevisionProblem } from '../write-precondition';

const ACCEPTED: readonly string[] = [...FIELDS, EXPECTED_REVISION_FIELD];

export type RouteChangeBody = RouteKey & { expected_revision?: number };

// RouteChangeDto's rules by hand (see hand-validators.ts), in the order class-validator reports them:
// unknown fields, the DTO's own property, then the four inherited names. route-change-body.spec.ts
// compares it with the decorators.
export function parseRouteChangeBody(input: object): HandValidated<RouteChangeBody> {
  const source = input as Record<string, unknown>;
  const details = unknownFields(source, ACCEPTED);
  const expected = expectedRevisionOf(source, details);
  const key = routeKeyOf(source, details);
  return details.length ? { details } : { value: expected === undefined ? key : { ...key, expected_revision: expected } };
}

// The optional expected_revision of a write body; a problem with it is appended to `details`.
export function expectedRevisionOf(source: Record<string, unknown>, details: { field: string; problem: string }[]): number | undefined {
  const raw = Object.prototype.hasOwnProperty.call(source, EXPECTED_REVISION_FIELD) ? source[EXPECTED_REVISION_FIELD] : undefined;
  const problem = expectedRevisionProblem(raw);
  if (problem) details.push({ field: EXPECTED_REVISION_FIELD, problem });
  return problem ? undefined : (raw as number | undefined);
}
