// Long-poll resolve (Prefer: wait, docs/design.md "Long-poll"): requests held until the route they
// watch changes. Pure bookkeeping: ResolveService feeds it the changes announced on the invalidation
// bus, ResolveRoute holds requests with it. Written here rather than taken from a library: it is a
// map of timers keyed by route, and what ends a watch (a newer revision of that route, the bus going
// down, draining) is specific to this service.

// Why a watch ended: the route changed (with the revision announced), its time ran out, or it was let
// go (the invalidation channel went down, the instance began to drain, or the client went away).
export type WatchEnd = { kind: 'changed'; revision: number } | { kind: 'timeout' } | { kind: 'released' };

export interface Watch {
  readonly ended: Promise<WatchEnd>;
  // Let the watch go (the client went away); harmless once it has ended.
  cancel(): void;
}

interface Held {
  revision: number;
  end(how: WatchEnd): void;
}

const TIMEOUT: WatchEnd = { kind: 'timeout' };
const RELEASED: WatchEnd = { kind: 'released' };

export class RouteWatchers {
  private readonly byRoute = new Map<string, Set<Held>>();
  private held = 0;

  constructor(
    private readonly max: number,
    private readonly onSize: (size: number) => void = () => undefined,
  ) {}

  get size(): number {
    return this.held;
  }

  // Holds until a revision of `id` newer than `revision` is announced, or `timeoutMs` passes.
  // Undefined when `max` watches are already held: the caller answers at once instead.
  watch(id: string, revision: number, timeoutMs: number): Watch | undefined {
    if (this.held >= this.max) return undefined;
    let watchers = this.byRoute.get(id);
    if (!watchers) {
      watchers = new Set();
      this.byRoute.set(id, watchers);
    }
    const set = watchers;
    let end!: (how: WatchEnd) => void;
    const ended = new Promise<WatchEnd>((resolve) => {
      const timer = setTimeout(() => held.end(TIMEOUT), timeoutMs);
      end = (how) => {
        if (!set.delete(held)) return;
        clearTimeout(timer);
        if (set.size === 0 && this.byRoute.get(id) === set) this.byRoute.delete(id);
        this.resize(-1);
        resolve(how);
      };
    });
    const held: Held = { revision, end };
    set.add(held);
    this.resize(1);
    return { ended, cancel: () => held.end(RELEASED) };
  }

  // A change of `id` to `revision` was committed: every watch of an older revision ends. Revision 0
  // (a change whose revision the announcer did not know) ends every watch of the route.
  changed(id: string, revision: number): void {
    const watchers = this.byRoute.get(id);
    if (!watchers) return;
    const how: WatchEnd = { kind: 'changed', revision };
    for (const held of [...watchers]) if (held.revision < revision || revision === 0) held.end(how);
  }

  // Ends every watch (the channel that announces changes went down, or the instance is draining).
  releaseAll(): void {
    for (const watchers of [...this.byRoute.values()]) for (const held of [...watchers]) held.end(RELEASED);
  }

  private resize(by: number): void {
    this.held += by;
    this.onSize(this.held);
  }
}
