import { ErrorDetail } from '../../common/errors/domain.error';
import { parseEntityTags } from '../../common/http/entity-tags';

// Conditional resolve (RFC 9110 §8.8.3, §13.1.2): every 200 carries the route's revision as a weak
// entity tag, and a client that sends it back in If-None-Match gets 304 with no body while the route
// is at that revision: a cheap "has it changed?" poll, as Consul's index, Eureka's hashcode or an
// Unleash ETag give. Weak, because the body is not byte-for-byte the same at one revision (a
// fallback answer adds "source"); the URL a revision names never changes.

// One revision's tag, e.g. W/"3".
export function revisionTag(revision: number): string {
  return `W/"${revision}"`;
}

// What If-None-Match asked for: any current representation ("*"), or the listed opaque tags
// (with their quotes, W/ dropped: If-None-Match uses the weak comparison).
export type IfNoneMatch = { any: true } | { any: false; tags: string[] };

export type IfNoneMatchResult = { condition: IfNoneMatch; problem?: undefined } | { condition?: undefined; problem: ErrorDetail };

const ANY: IfNoneMatch = { any: true };
const PROBLEM: ErrorDetail = { field: 'If-None-Match', problem: 'must be "*" or a comma-separated list of entity tags such as W/"3"' };

// A malformed header is refused (400) rather than ignored, so a client's bug shows at once instead
// of as polls that never get a 304.
export function parseIfNoneMatch(value: string): IfNoneMatchResult {
  const list = parseEntityTags(value);
  if (list === null) return { problem: PROBLEM };
  return { condition: list.any ? ANY : { any: false, tags: list.tags.map((tag) => tag.opaque) } };
}

// True when the route at `revision` is what the client already has: answer 304.
export function notModified(condition: IfNoneMatch, revision: number): boolean {
  return condition.any || condition.tags.includes(`"${revision}"`);
}
