import { RouteKey } from '../../contracts/route-key';
import { RouteSnapshot } from './route-record';

export type CacheLookup =
  { kind: 'hit'; url: string; revision: number } | { kind: 'negative'; revision: number } | { kind: 'miss' } | { kind: 'error' };

// Our entries live in a versioned namespace, so a format change gets a new prefix instead of being
// misread, and the seed (which reads `route:…` as a plain URL) never sees our "<revision>|…" values.
export const CACHE_NAMESPACE = 'tm:v1';

export function cacheKey(key: RouteKey): string {
  return `${CACHE_NAMESPACE}:route:${key.tenant}:${key.service}:${key.env}:${key.version}`;
}

// The same key from routeKeyString(key).
export function cacheKeyOfId(id: string): string {
  return `${CACHE_NAMESPACE}:route:${id}`;
}

// The seed's key for the same route; deleted on every change so seed readers sharing this Redis fall
// back to their database instead of serving a stale URL.
export function legacyCacheKey(key: RouteKey): string {
  return `route:${key.tenant}:${key.service}:${key.env}:${key.version}`;
}

// "<revision>|+<url>" for a route that resolves, "<revision>|-" for one that does not (missing routes
// have revision 0). A plain string keeps GET + parse cheaper than JSON on the hot path.
export function encodeEntry(snapshot: RouteSnapshot): string {
  return snapshot.active && snapshot.url !== null ? `${snapshot.revision}|+${snapshot.url}` : `${snapshot.revision}|-`;
}

export function decodeEntry(value: string | null): CacheLookup {
  if (value === null) return { kind: 'miss' };
  const sep = value.indexOf('|');
  const revision = Number(value.slice(0, sep));
  if (sep < 1 || !Number.isInteger(revision)) return { kind: 'miss' };
  if (value[sep + 1] === '+') return { kind: 'hit', url: value.slice(sep + 2), revision };
  return { kind: 'negative', revision };
}

// Atomically store an entry unless Redis already holds a newer revision of the same route, so a
// reader that loaded an old row can never overwrite what a later write (or its event) put there.
// When ARGV[4] names a channel, the change is announced there (ARGV[5]) in the same step.
export const STORE_IF_NEWER_LUA = `
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, '|', 1, true)
  if sep then
    local rev = tonumber(string.sub(current, 1, sep - 1))
    if rev and rev > tonumber(ARGV[1]) then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1
`;

// Which revision of a route each consumer group has applied, and when: one hash per route, a field
// per group, "<revision>|<epoch ms>". Written by the group in the same pipeline as its own store, so
// a mark means that store succeeded; read by the propagation status (docs/design.md, "Is my change
// live?"). Kept APPLIED_MARK_TTL_SECONDS after a route's last change.
export function appliedMarksKey(key: RouteKey): string {
  return `${CACHE_NAMESPACE}:applied:${key.tenant}:${key.service}:${key.env}:${key.version}`;
}

export const APPLIED_MARK_TTL_SECONDS = 7 * 24 * 3600;

export interface AppliedMark {
  revision: number;
  appliedAt: Date;
}

export function decodeAppliedMark(value: string): AppliedMark | null {
  const sep = value.indexOf('|');
  const revision = Number(value.slice(0, sep));
  const at = Number(value.slice(sep + 1));
  return sep > 0 && Number.isInteger(revision) && Number.isFinite(at) ? { revision, appliedAt: new Date(at) } : null;
}

// A consumer group's store and its mark in one call (one command per change in the group's
// pipeline, not two): STORE_IF_NEWER_LUA on KEYS[1] with ARGV[1..5], then the mark on KEYS[2] with
// ARGV[6..9] (group, revision, applied-at ms, ttl), whether or not the store was refused for a newer
// revision (the change is in effect either way). The mark never goes down (a redelivered older
// event leaves a newer mark alone) and its hash's expiry is renewed when it rises. Events of one
// route reach a group in order, so the mark is the group's high-water mark for the route: every
// revision up to it is in effect there. Returns what the store returns.
export const STORE_AND_MARK_LUA = `
local stored = 1
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, '|', 1, true)
  if sep then
    local rev = tonumber(string.sub(current, 1, sep - 1))
    if rev and rev > tonumber(ARGV[1]) then stored = 0 end
  end
end
if stored == 1 then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
end
local mark = redis.call('HGET', KEYS[2], ARGV[6])
local msep = mark and string.find(mark, '|', 1, true)
local mrev = msep and tonumber(string.sub(mark, 1, msep - 1))
if not mrev or mrev < tonumber(ARGV[7]) then
  redis.call('HSET', KEYS[2], ARGV[6], ARGV[7] .. '|' .. ARGV[8])
  redis.call('EXPIRE', KEYS[2], ARGV[9])
end
return stored
`;
