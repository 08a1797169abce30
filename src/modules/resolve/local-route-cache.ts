import { LRUCache } from 'lru-cache';

export type LocalEntry = { found: true; url: string; revision: number } | { found: false; revision: number };

export interface LocalRouteCacheOptions {
  maxEntries: number;
  ttlMs: number;
  random?: () => number;
  now?: () => number;
}

// The in-process tier in front of Redis. Entries live a short, jittered time (so instances do not
// all refill at once) and are dropped within milliseconds of a change through the invalidation bus.
// Per route it keeps the highest revision this instance has seen (served, filled or announced) and
// refuses anything older, so it never serves a revision older than one already served.
export class LocalRouteCache {
  private readonly entries: LRUCache<string, LocalEntry>;
  private readonly floors: LRUCache<string, number>;
  private readonly random: () => number;

  constructor(private readonly options: LocalRouteCacheOptions) {
    const perf = options.now ? { now: options.now } : undefined;
    // With an injected clock (tests) the 1 ms cached "now" would hide it.
    const clock = perf ? { perf, ttlResolution: 0 } : {};
    // Expired entries stay (until evicted) for getStale(): the answer of last resort while PostgreSQL is down.
    this.entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs, updateAgeOnGet: false, noDeleteOnStaleGet: true, ...clock });
    // Floors outlive entries (they are what stops an older Redis value from coming back) but are
    // bounded too; losing one only costs a PostgreSQL read, which is the truth.
    this.floors = new LRUCache({ max: options.maxEntries, ttl: Math.max(options.ttlMs * 120, 600_000), ...clock });
    this.random = options.random ?? Math.random;
  }

  get(key: string): LocalEntry | undefined {
    return this.entries.get(key);
  }

  // The entry even if its TTL has run out (never one dropped by an invalidation).
  getStale(key: string): LocalEntry | undefined {
    return this.entries.get(key, { allowStale: true });
  }

  floor(key: string): number {
    return this.floors.get(key) ?? 0;
  }

  // False when the entry is older than what this instance already saw for the route.
  set(key: string, entry: LocalEntry): boolean {
    const floor = this.floor(key);
    if (entry.revision < floor) return false;
    if (entry.revision > floor) this.floors.set(key, entry.revision);
    const jitter = 0.8 + this.random() * 0.4;
    this.entries.set(key, entry, { ttl: Math.round(this.options.ttlMs * jitter) });
    return true;
  }

  // A change to `revision` was committed: drop the entry and refuse anything older from now on.
  invalidate(key: string, revision: number): void {
    if (revision > this.floor(key)) this.floors.set(key, revision);
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
