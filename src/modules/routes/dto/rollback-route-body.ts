import { HandValidated } from '../../../common/validation/hand-validators';
import { FIELDS, routeKeyOf, unknownFields } from '../../../common/validation/route-key-query';
import { RouteKey } from '../../../contracts/route-key';
import { EXPECTED_REVISION_FIELD, MAX_REVISION } from '../write-precondition';
import { addForceOverride, FORCE_FIELD, ForceOverride, REASON_FIELD } from './force-override';
import { expectedRevisionOf } from './route-change-body';

export const TO_REVISION_FIELD = 'to_revision';
export const TO_REVISION_PROBLEM = `must be a whole number from 1 to ${MAX_REVISION}`;

const ACCEPTED: readonly string[] = [...FIELDS, EXPECTED_REVISION_FIELD, TO_REVISION_FIELD, FORCE_FIELD, REASON_FIELD];

export type RollbackRouteBody = RouteKey & { to_revision: number; expected_revision?: number } & ForceOverride;

// to_revision's rule (a JSON number; required), shared with the DTO's decorator.
export function toRevisionProblem(raw: unknown): string | null {
  if (raw === undefined || raw === null) return 'is required';
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= MAX_REVISION ? null : TO_REVISION_PROBLEM;
}

// RollbackRouteDto's rules by hand (see hand-validators.ts), in the order class-validator reports
// them: unknown fields, the DTO's own properties (to_revision, force, reason), the four names (RouteKeyDto's), then its parent's
// (RouteChangeDto's expected_revision): class-validator lists the root class's rules before the parent's.
// rollback-route-body.spec.ts compares it with the decorators.
export function parseRollbackRouteBody(input: object): HandValidated<RollbackRouteBody> {
  const source = input as Record<string, unknown>;
  const details = unknownFields(source, ACCEPTED);
  const raw = Object.prototype.hasOwnProperty.call(source, TO_REVISION_FIELD) ? source[TO_REVISION_FIELD] : undefined;
  const problem = toRevisionProblem(raw);
  if (problem) details.push({ field: TO_REVISION_FIELD, problem });
  const override = addForceOverride(source, details, {});
  const key = routeKeyOf(source, details);
  const expected = expectedRevisionOf(source, details);
  if (details.length) return { details };
  const body: RollbackRouteBody = { ...key, to_revision: raw as number };
  if (expected !== undefined) body.expected_revision = expected;
  return { value: Object.assign(body, override) };
}
