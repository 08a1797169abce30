import { ErrorDetail } from '../../common/errors/domain.error';

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
const OPAQUE_TAG = /(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")/y;
const PROBLEM: ErrorDetail = { field: 'If-None-Match', problem: 'must be "*" or a comma-separated list of entity tags such as W/"3"' };

// A malformed header is refused (400) rather than ignored, so a client's bug shows at once instead
// of as polls that never get a 304. Empty list elements are accepted, as RFC 9110 §5.6.1 asks.
export function parseIfNoneMatch(value: string): IfNoneMatchResult {
  if (value.trim() === '*') return { condition: ANY };
  const tags: string[] = [];
  let at = skip(value, 0, true);
  while (at < value.length) {
    OPAQUE_TAG.lastIndex = at;
    const match = OPAQUE_TAG.exec(value);
    if (!match) return { problem: PROBLEM };
    tags.push(match[1]);
    at = skip(value, OPAQUE_TAG.lastIndex, false);
    if (at < 0) return { problem: PROBLEM };
    at = skip(value, at, true);
  }
  return tags.length ? { condition: { any: false, tags } } : { problem: PROBLEM };
}

// Past optional whitespace, and (when `commas`) empty list elements. Without `commas` the next
// character must be a comma or the end: -1 otherwise.
function skip(value: string, from: number, commas: boolean): number {
  let at = from;
  while (at < value.length && (value[at] === ' ' || value[at] === '\t' || (commas && value[at] === ','))) at += 1;
  if (commas || at === value.length) return at;
  return value[at] === ',' ? at + 1 : -1;
}

// True when the route at `revision` is what the client already has: answer 304.
export function notModified(condition: IfNoneMatch, revision: number): boolean {
  return condition.any || condition.tags.includes(`"${revision}"`);
}
