import { HandValidated } from '../../../common/validation/hand-validators';
import { FIELDS, routeKeyOf, unknownFields } from '../../../common/validation/route-key-query';
import { EXPECTED_REVISION_FIELD } from '../write-precondition';
import { addForceOverride, FORCE_FIELD, ForceOverride, REASON_FIELD } from './force-override';
import { expectedRevisionOf, RouteChangeBody } from './route-change-body';

const ACCEPTED: readonly string[] = [...FIELDS, EXPECTED_REVISION_FIELD, FORCE_FIELD, REASON_FIELD];

export type DeactivateRouteBody = RouteChangeBody & ForceOverride;

// DeactivateRouteDto's rules by hand (see hand-validators.ts), in the order class-validator reports
// them: unknown fields, the DTO's own properties (force, reason), the four names (RouteKeyDto's),
// then its parent's (RouteChangeDto's expected_revision). deactivate-route-body.spec.ts compares it
// with the decorators.
export function parseDeactivateRouteBody(input: object): HandValidated<DeactivateRouteBody> {
  const source = input as Record<string, unknown>;
  const details = unknownFields(source, ACCEPTED);
  const override = addForceOverride(source, details, {});
  const key = routeKeyOf(source, details);
  const expected = expectedRevisionOf(source, details);
  if (details.length) return { details };
  const body: DeactivateRouteBody = { ...key };
  if (expected !== undefined) body.expected_revision = expected;
  return { value: Object.assign(body, override) };
}
