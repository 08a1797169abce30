import { IncomingHttpHeaders } from 'http';
import { ErrorDetail } from '../../common/errors/domain.error';
import { parseEntityTags } from '../../common/http/entity-tags';
import { Precondition } from '../route-store';

// Conditional route writes (optimistic concurrency, docs/design.md "Conditional writes"). A client
// that read a route at revision n can make its change apply only if the route is still at n, so two
// deployers cannot silently overwrite each other (the lost update that Consul's ?cas= and
// Kubernetes' resourceVersion prevent). Three ways to say it, one at a time:
// - `If-Match: "n"` (a list is any of them) or `If-Match: *` (the route must exist);
// - `If-None-Match: *`: the route must not exist yet (create only);
// - `expected_revision` in the JSON body: n, or 0 for "must not exist yet".
// The database checks it under the row lock, in the write's own statement (tm_apply_route_change).

// The revision column is a PostgreSQL integer.
export const MAX_REVISION = 2_147_483_647;
export const EXPECTED_REVISION_FIELD = 'expected_revision';
export const EXPECTED_REVISION_PROBLEM = `must be a whole number from 0 to ${MAX_REVISION}`;

const STRONG_REVISION = /^"([0-9]{1,10})"$/;
const IF_MATCH_PROBLEM = 'must be "*" or a comma-separated list of entity tags such as "3"';
const IF_NONE_MATCH_PROBLEM = 'on a route write must be "*" (change the route only if it does not exist yet)';

export type PreconditionResult = { precondition?: Precondition; problems?: undefined } | { precondition?: undefined; problems: ErrorDetail[] };

// The body field's rule (JSON numbers only: no strings, booleans or null); undefined means not sent.
export function expectedRevisionProblem(raw: unknown): string | null {
  if (raw === undefined) return null;
  return typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_REVISION ? null : EXPECTED_REVISION_PROBLEM;
}

// The write's precondition from its headers and its (already validated) body field; none when nothing
// is sent. More than one way at once is refused rather than one of them silently preferred.
export function preconditionOf(headers: IncomingHttpHeaders, expectedRevision: number | undefined): PreconditionResult {
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  const given = [
    ifMatch !== undefined && 'If-Match',
    ifNoneMatch !== undefined && 'If-None-Match',
    expectedRevision !== undefined && EXPECTED_REVISION_FIELD,
  ].filter((name): name is string => name !== false);
  if (given.length === 0) return {};
  if (given.length > 1) {
    return { problems: given.slice(1).map((field) => ({ field, problem: `cannot be sent with ${given[0]}: send one precondition` })) };
  }
  if (ifMatch !== undefined) return fromIfMatch(ifMatch);
  if (ifNoneMatch !== undefined) return fromIfNoneMatch(ifNoneMatch);
  return { precondition: expectedRevisionPrecondition(expectedRevision!) };
}

// The body field's precondition: 0 means "must not exist yet", n "must be at revision n".
export function expectedRevisionPrecondition(expectedRevision: number): Precondition {
  return expectedRevision === 0 ? { kind: 'absent' } : { kind: 'revisions', revisions: [expectedRevision] };
}

// If-Match compares strongly (RFC 9110 §13.1.1): only strong tags naming a revision can match. A weak
// tag (resolve's W/"3") or another opaque tag is well-formed but can never match, so the write is
// refused with 412 naming the current revision, not with 400 and not ignored.
function fromIfMatch(value: string | string[]): PreconditionResult {
  const list = typeof value === 'string' ? parseEntityTags(value) : null;
  if (list === null) return { problems: [{ field: 'If-Match', problem: IF_MATCH_PROBLEM }] };
  if (list.any) return { precondition: { kind: 'exists' } };
  const revisions: number[] = [];
  for (const tag of list.tags) {
    const digits = tag.weak ? null : STRONG_REVISION.exec(tag.opaque);
    const revision = digits ? Number(digits[1]) : NaN;
    if (revision <= MAX_REVISION) revisions.push(revision);
  }
  return { precondition: { kind: 'revisions', revisions } };
}

function fromIfNoneMatch(value: string | string[]): PreconditionResult {
  return typeof value === 'string' && value.trim() === '*'
    ? { precondition: { kind: 'absent' } }
    : { problems: [{ field: 'If-None-Match', problem: IF_NONE_MATCH_PROBLEM }] };
}
