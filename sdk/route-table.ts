import { LRUCache } from 'lru-cache';

export interface RouteKey {
  tenant: string;
  service: string;
  env: string;
  version: string;
}

// What the client knows about one route. `revision` is the revision served for a route that is
// found; for one that is not, the revision of its deactivation when a watch stream said so, or the
// last revision seen before the server answered 404 (then `afterRevision` is true: the route changed
// after that revision, to a revision the 404 does not name). A snapshot entry is only a fallback:
// anything the server or a stream says replaces it.
export interface RouteEntry {
  found: boolean;
  url: string;
  revision: number;
  afterRevision: boolean;
  // Wall-clock milliseconds when the server or a watch stream last confirmed the entry.
  confirmedAt: number;
  // The watch epoch it was confirmed in (see WatchCoverage); -1 when no watch covers the route.
  epoch: number;
  // Loaded from the last-known-good file: served only when Traffic Manager cannot answer.
  fromSnapshot: boolean;
  // For a route that was found and is not any more: what it was (for mass-loss protection).
  lastFound?: { url: string; revision: number };
}

export type RouteState = { found: true; url: string; revision: number } | { found: false; revision: number; afterRevision: boolean };

export function routeKeyString({ tenant, service, env, version }: RouteKey): string {
  // Names are restricted to A-Z, a-z, 0-9, ".", "_" and "-", so "/" cannot be part of one.
  return `${tenant}/${service}/${env}/${version}`;
}

export function parseRouteKeyString(key: string): RouteKey {
  const [tenant, service, env, version] = key.split('/');
  return { tenant, service, env, version };
}

// True when `next` may replace `held`: a later revision always may; the same revision only when
// `held` is not a 404 that already went past it.
export function supersedes(next: RouteState, held: RouteEntry | undefined): boolean {
  if (held === undefined || held.fromSnapshot) return true;
  // A 404 names the revision held when the request was sent: it wins unless a later one arrived since.
  if (!next.found && next.afterRevision) return next.revision >= held.revision;
  if (next.revision > held.revision) return true;
  return next.revision === held.revision && !held.afterRevision;
}

// The client's in-process table, bounded by an LRU. It never goes back to an older revision of a
// route than one it has held (the same rule as the server's in-process tier), whichever way the
// older answer arrives: a slow resolve racing a watch event, a lagging server instance, a replay.
export class RouteTable {
  private readonly entries: LRUCache<string, RouteEntry>;
  // Found entries per tenant, kept as entries are set, replaced and evicted.
  private readonly foundPerTenant = new Map<string, number>();

  constructor(maxEntries: number) {
    this.entries = new LRUCache({
      max: maxEntries,
      dispose: (entry, key) => {
        if (entry.found) this.countFound(key, -1);
      },
    });
  }

  foundIn(tenant: string): number {
    return this.foundPerTenant.get(tenant) ?? 0;
  }

  private countFound(key: string, delta: number): void {
    const tenant = key.slice(0, key.indexOf('/'));
    const n = (this.foundPerTenant.get(tenant) ?? 0) + delta;
    if (n > 0) this.foundPerTenant.set(tenant, n);
    else this.foundPerTenant.delete(tenant);
  }

  private put(key: string, entry: RouteEntry): void {
    this.entries.set(key, entry);
    if (entry.found) this.countFound(key, 1);
  }

  get(key: string): RouteEntry | undefined {
    return this.entries.get(key);
  }

  // Stores what the server or a stream said, unless what is held is newer. True when stored.
  apply(key: string, state: RouteState, epoch: number, now: number): boolean {
    const held = this.entries.get(key);
    if (!supersedes(state, held)) {
      // The same state confirmed again still counts as fresh.
      if (held !== undefined && held.found === state.found && held.revision === state.revision && !held.fromSnapshot) {
        held.confirmedAt = now;
        held.epoch = epoch;
      }
      return false;
    }
    const lastFound = !state.found ? (held?.found ? { url: held.url, revision: held.revision } : held?.lastFound) : undefined;
    this.put(key, {
      found: state.found,
      url: state.found ? state.url : '',
      revision: state.revision,
      afterRevision: !state.found && state.afterRevision,
      confirmedAt: now,
      epoch,
      fromSnapshot: false,
      ...(lastFound ? { lastFound } : {}),
    });
    return true;
  }

  // The server answered 304 for the revision held: it is still current.
  confirm(key: string, epoch: number, now: number): void {
    const held = this.entries.get(key);
    if (held === undefined) return;
    held.confirmedAt = now;
    held.epoch = epoch;
    held.fromSnapshot = false;
  }

  // Entries from the last-known-good file; never over anything already held.
  loadSnapshot(routes: Array<{ key: string; url: string; revision: number; confirmedAt: number }>): number {
    let loaded = 0;
    for (const route of routes) {
      if (this.entries.has(route.key)) continue;
      this.put(route.key, {
        found: true,
        url: route.url,
        revision: route.revision,
        afterRevision: false,
        confirmedAt: route.confirmedAt,
        epoch: -1,
        fromSnapshot: true,
      });
      loaded += 1;
    }
    return loaded;
  }

  foundEntries(): Array<[string, RouteEntry]> {
    const found: Array<[string, RouteEntry]> = [];
    for (const [key, entry] of this.entries.entries()) if (entry.found) found.push([key, entry]);
    return found;
  }

  get size(): number {
    return this.entries.size;
  }
}
