// The entity-tag list of If-Match and If-None-Match (RFC 9110 §8.8.3, §13.1.1, §13.1.2): "*" or a
// comma-separated list of tags, each `"opaque"` or `W/"opaque"`. One grammar for both headers, so
// resolve's conditional read and the conditional route writes accept and refuse the same values.

export interface EntityTag {
  weak: boolean;
  // With its quotes, e.g. "3".
  opaque: string;
}

export type EntityTagList = { any: true } | { any: false; tags: EntityTag[] };

const ANY: EntityTagList = { any: true };
const TAG = /(W\/)?("[\x21\x23-\x7e\x80-\xff]*")/y;

// Null when the value is not "*" or a non-empty list of tags. Empty list elements and optional
// whitespace are accepted, as RFC 9110 §5.6.1 asks.
export function parseEntityTags(value: string): EntityTagList | null {
  if (value.trim() === '*') return ANY;
  const tags: EntityTag[] = [];
  let at = skip(value, 0, true);
  while (at < value.length) {
    TAG.lastIndex = at;
    const match = TAG.exec(value);
    if (!match) return null;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] });
    at = skip(value, TAG.lastIndex, false);
    if (at < 0) return null;
    at = skip(value, at, true);
  }
  return tags.length ? { any: false, tags } : null;
}

// Past optional whitespace, and (when `commas`) empty list elements. Without `commas` the next
// character must be a comma or the end: -1 otherwise.
function skip(value: string, from: number, commas: boolean): number {
  let at = from;
  while (at < value.length && (value[at] === ' ' || value[at] === '\t' || (commas && value[at] === ','))) at += 1;
  if (commas || at === value.length) return at;
  return value[at] === ',' ? at + 1 : -1;
}
