import { HandValidated } from '../../../common/validation/hand-validators';
import { endpointUrlProblem, MAX_URL_LENGTH } from '../../../common/validation/endpoint-url';
import { FIELDS, routeKeyOf, unknownFields } from '../../../common/validation/route-key-query';
import { RouteKey } from '../../../contracts/route-key';
import { EXPECTED_REVISION_FIELD } from '../write-precondition';
import { expectedRevisionOf } from './route-change-body';

const ACCEPTED: readonly string[] = [...FIELDS, 'url', EXPECTED_REVISION_FIELD];

export type CreateRouteBody = RouteKey & { url: string; expected_revision?: number };

// CreateRouteDto's rules by hand (see hand-validators.ts), in the order class-validator reports them:
// unknown fields, then the DTO's own properties (the URL, as IsEndpointUrl checks it: required, a
// string, at most MAX_URL_LENGTH, canonical, never trimmed or rewritten; then expected_revision),
// then the four inherited names as RouteKeyDto checks them. create-route-body.spec.ts compares it
// with the decorators.

export function parseCreateRouteBody(input: object): HandValidated<CreateRouteBody> {
  const source = input as Record<string, unknown>;
  const details = unknownFields(source, ACCEPTED);
  const url = Object.prototype.hasOwnProperty.call(source, 'url') ? source.url : undefined;
  const urlProblem = endpointUrlRuleProblem(url);
  if (urlProblem) details.push({ field: 'url', problem: urlProblem });
  const expected = expectedRevisionOf(source, details);
  const key = routeKeyOf(source, details);
  if (details.length) return { details };
  return { value: expected === undefined ? { ...key, url: url as string } : { ...key, url: url as string, expected_revision: expected } };
}

function endpointUrlRuleProblem(raw: unknown): string | null {
  if (raw === undefined || raw === null) return 'is required';
  if (typeof raw !== 'string') return 'must be a string';
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  return endpointUrlProblem(raw);
}
