interface Window {
  hits: number;
  endsAt: number;
}

// Fixed windows per key, in this process, synchronously: a window opens at a key's first hit and
// lasts windowMs. One Map lookup and no allocation per hit once a key is known, cheap enough for
// resolve (the throttler's own in-memory storage keeps one timestamp per hit and filters that
// array on every request: O(limit) per call). Windows that ended are swept once per windowMs, and
// at most maxKeys are held (the oldest is dropped first), so memory stays bounded whatever names
// requests carry.
export class WindowCounter {
  private readonly windows = new Map<string, Window>();
  private sweepAt: number;

  constructor(
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepAt = now() + windowMs;
  }

  // Hits in the key's current window, this one included.
  hit(key: string): number {
    const now = this.now();
    if (now >= this.sweepAt) this.sweep(now);
    let window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size >= this.maxKeys) this.dropOldest();
      window = { hits: 0, endsAt: now + this.windowMs };
      this.windows.set(key, window);
    } else if (now >= window.endsAt) {
      window.hits = 0;
      window.endsAt = now + this.windowMs;
    }
    window.hits += 1;
    return window.hits;
  }

  msUntilReset(key: string): number {
    const window = this.windows.get(key);
    return window === undefined ? this.windowMs : Math.max(0, window.endsAt - this.now());
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now >= window.endsAt) this.windows.delete(key);
    }
    this.sweepAt = now + this.windowMs;
  }

  // Map iteration follows insertion order: the first key is the one created longest ago.
  private dropOldest(): void {
    const oldest = this.windows.keys().next();
    if (!oldest.done) this.windows.delete(oldest.value);
  }
}
