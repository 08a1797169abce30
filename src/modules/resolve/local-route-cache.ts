import { LRUCache } from 'lru-cache';

export type LocalEntry = { found: true; url: string; revision: number } | { found: false; revision: number };

export interface LocalRouteCacheOptions {
  maxEntries: number;
  ttlMs: number;
  // Refresh-ahead: after this share of an entry's lifetime (0..1), the first hit calls onRefreshDue
  // with the route's key. Without onRefreshDue entries simply expire.
  refreshAfter?: number;
  onRefreshDue?: (key: string) => void;
  random?: () => number;
  now?: () => number;
}

// A copy of `s` in one contiguous piece. Keys are built by concatenation from the request's query
// strings and URLs are slices of the Redis reply; V8 keeps both as ropes or views that hold their
// parts or the whole reply alive (about 200 bytes per route, 20 MB for 100,000 routes, measured with
// a heap snapshot). Only entries that are stored pay for the copy; lookups use the key as it is.
function flat(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

// Changes to routes not held, remembered at most (see LocalRouteCache).
const MAX_UNHELD_FLOORS = 10_000;

// One route's place in the tier: the entry (if any) and the floor, in one object, so a route costs
// one key, one LRU slot and one object (two LRUs, for entries and floors, cost about twice that).
// The slot itself is what get() returns: no allocation on a hit.
class Slot {
  found = false;
  url = '';
  revision = 0;
  // Highest revision this instance has seen for the route (served, filled or announced).
  floor = 0;
  // Whole milliseconds of the process clock, so both stay small integers (V8 keeps a fractional
  // number in a field as a separate 16-byte heap object: 3 MB per 100,000 routes for these two).
  expiresAt = 0;
  // From this time on a hit reports the entry as due for a refresh; set to expiresAt once reported,
  // so it is reported once per fill.
  refreshAt = 0;
  // The entry is usable only in the epoch it was set in; invalidate() and clear() end it.
  epoch = -1;
}

// The in-process tier in front of Redis. Entries live a short, jittered time (so instances do not
// all refill at once) and are dropped within milliseconds of a change through the invalidation bus.
// Per route it keeps the highest revision this instance has seen and refuses anything older, so it
// never serves a revision older than one already served. Floors outlive entries (they are what stops
// an older Redis value from coming back); a slot is only forgotten when the LRU evicts it, and losing
// a floor only costs a PostgreSQL read, which is the truth. A change to a route this instance does not
// hold is remembered in a small LRU of its own, so a burst of writes to other routes cannot push the
// routes being served out of the tier; that floor still stops a lookup already in flight from filling
// the older value.
//
// Refresh-ahead (as Caffeine's refreshAfterWrite): the first hit in the later part of an entry's life
// is reported once to onRefreshDue, so the owner can fetch the route again in the background (and set()
// it, which starts a new lifetime) while the entry keeps being served. A route asked for at least once
// in that window never expires; one that is not expires as before. Without it, a large set of routes
// each asked for every few seconds sent a quarter to two fifths of its requests to Redis (the
// 100k-route bench, docs/design.md).
export class LocalRouteCache {
  private readonly slots: LRUCache<string, Slot>;
  private readonly unheldFloors: LRUCache<string, number>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly refreshAfter: number;
  private epoch = 0;

  constructor(private readonly options: LocalRouteCacheOptions) {
    this.slots = new LRUCache({ max: options.maxEntries });
    this.unheldFloors = new LRUCache({ max: Math.min(options.maxEntries, MAX_UNHELD_FLOORS) });
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
    this.refreshAfter = options.onRefreshDue ? Math.min(1, Math.max(0, options.refreshAfter ?? 1)) : 1;
  }

  // The live entry, or undefined (none, expired, or dropped by an invalidation or clear()).
  get(key: string): LocalEntry | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined || slot.epoch !== this.epoch) return undefined;
    const now = this.now();
    if (slot.expiresAt <= now) return undefined;
    if (slot.refreshAt <= now && slot.refreshAt !== slot.expiresAt) {
      slot.refreshAt = slot.expiresAt;
      this.options.onRefreshDue?.(key);
    }
    return slot as LocalEntry;
  }

  // The entry even if its TTL has run out (the answer of last resort while PostgreSQL is down); never
  // one dropped by an invalidation.
  getStale(key: string): LocalEntry | undefined {
    const slot = this.slots.get(key);
    return slot !== undefined && slot.epoch === this.epoch ? (slot as LocalEntry) : undefined;
  }

  floor(key: string): number {
    return this.slots.get(key)?.floor ?? this.unheldFloors.get(key) ?? 0;
  }

  // False when the entry is older than what this instance already saw for the route.
  // `ttlMs` overrides the configured lifetime (jitter applies to either).
  set(key: string, entry: LocalEntry, ttlMs = this.options.ttlMs): boolean {
    let slot = this.slots.get(key);
    if (slot !== undefined && entry.revision < slot.floor) return false;
    if (slot === undefined) {
      const unheld = this.unheldFloors.get(key) ?? 0;
      if (entry.revision < unheld) return false;
      slot = new Slot();
      slot.floor = unheld;
      this.unheldFloors.delete(key);
      this.slots.set(flat(key), slot);
    }
    slot.found = entry.found;
    slot.url = !entry.found ? '' : entry.url === slot.url ? slot.url : flat(entry.url);
    slot.revision = entry.revision;
    if (entry.revision > slot.floor) slot.floor = entry.revision;
    const now = this.now();
    const life = ttlMs * (0.8 + this.random() * 0.4);
    slot.expiresAt = Math.floor(now + life);
    slot.refreshAt = Math.floor(now + life * this.refreshAfter);
    slot.epoch = this.epoch;
    return true;
  }

  // A change to `revision` was committed: drop the entry and refuse anything older from now on.
  invalidate(key: string, revision: number): void {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      if (revision > (this.unheldFloors.get(key) ?? 0)) this.unheldFloors.set(flat(key), revision);
      return;
    }
    if (revision > slot.floor) slot.floor = revision;
    slot.epoch = -1;
  }

  // Forget every entry (the invalidation channel was down), keeping the floors.
  clear(): void {
    this.epoch += 1;
  }

  // Routes with a slot (an entry or only a floor).
  get size(): number {
    return this.slots.size;
  }
}
