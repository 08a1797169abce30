import { LocalRouteCache } from './local-route-cache';

describe(LocalRouteCache.name, () => {
  const make = () => new LocalRouteCache({ maxEntries: 3, ttlMs: 1000, random: () => 0.5 });

  it('should serve what it holds and forget it on invalidation', () => {
    const cache = make();
    cache.set('a', { found: true, url: 'https://one.example.com', revision: 1 });

    expect(cache.get('a')).toMatchObject({ found: true, url: 'https://one.example.com', revision: 1 });
    cache.invalidate('a', 2);
    expect(cache.get('a')).toBeUndefined();
  });

  it('should refuse a revision older than one already seen, from a fill or an announcement', () => {
    const cache = make();
    cache.set('a', { found: true, url: 'https://two.example.com', revision: 2 });

    expect(cache.set('a', { found: true, url: 'https://one.example.com', revision: 1 })).toBe(false);
    expect(cache.get('a')?.revision).toBe(2);
    cache.invalidate('a', 5);
    expect(cache.set('a', { found: false, revision: 4 })).toBe(false);
    expect(cache.floor('a')).toBe(5);
    expect(cache.set('a', { found: false, revision: 5 })).toBe(true);
  });

  it('should keep remembering the floor after clear(), so a reconnect cannot bring back old values', () => {
    const cache = make();
    cache.set('a', { found: true, url: 'https://two.example.com', revision: 2 });
    cache.clear();

    expect(cache.get('a')).toBeUndefined();
    expect(cache.set('a', { found: true, url: 'https://one.example.com', revision: 1 })).toBe(false);
  });

  it('should remember a change to a route it does not hold without taking a slot from the routes it serves', () => {
    const cache = make();
    for (const k of ['a', 'b', 'c']) cache.set(k, { found: true, url: `https://${k}.example.com`, revision: 1 });
    for (const k of ['x', 'y', 'z']) cache.invalidate(k, 7);

    for (const k of ['a', 'b', 'c']) expect(cache.get(k)).toMatchObject({ url: `https://${k}.example.com` });
    expect(cache.floor('x')).toBe(7);
    expect(cache.set('x', { found: true, url: 'https://old.example.com', revision: 6 })).toBe(false);
    expect(cache.set('y', { found: true, url: 'https://new.example.com', revision: 7 })).toBe(true);
    expect(cache.floor('y')).toBe(7);
  });

  it('should hold at most maxEntries routes', () => {
    const cache = make();
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, { found: false, revision: 0 });

    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
  });

  it('should expire entries after the jittered TTL', () => {
    let now = 10_000;
    const cache = new LocalRouteCache({ maxEntries: 3, ttlMs: 1000, random: () => 1, now: () => now });
    cache.set('a', { found: false, revision: 0 });
    now += 1150;
    expect(cache.get('a')).toBeDefined();
    now += 100;
    expect(cache.get('a')).toBeUndefined();
  });

  it('should keep an expired entry for getStale(), but not one dropped by an invalidation', () => {
    let now = 10_000;
    const cache = new LocalRouteCache({ maxEntries: 3, ttlMs: 1000, random: () => 1, now: () => now });
    cache.set('a', { found: true, url: 'https://a.example.com', revision: 1 });
    cache.set('b', { found: true, url: 'https://b.example.com', revision: 1 });
    now += 5_000;

    expect(cache.get('a')).toBeUndefined();
    expect(cache.getStale('a')).toMatchObject({ found: true, url: 'https://a.example.com', revision: 1 });
    cache.invalidate('b', 2);
    expect(cache.getStale('b')).toBeUndefined();
  });

  // A tier with a 1 s lifetime (no jitter), refresh-ahead from half of it, on a clock the test moves.
  function refreshing() {
    const clock = { now: 10_000 };
    const due: string[] = [];
    const cache = new LocalRouteCache({
      maxEntries: 3,
      ttlMs: 1000,
      random: () => 0.5,
      now: () => clock.now,
      refreshAfter: 0.5,
      onRefreshDue: (k) => due.push(k),
    });
    return { cache, clock, due };
  }

  it('should report an entry due for a refresh once per lifetime, on the first hit after the refresh share', () => {
    const { cache, clock, due } = refreshing();
    cache.set('a', { found: true, url: 'https://a.example.com', revision: 1 });
    clock.now += 400;
    cache.get('a');
    expect(due).toEqual([]);
    clock.now += 200;
    cache.get('a');
    cache.get('a');
    expect(due).toEqual(['a']);
    cache.set('a', { found: true, url: 'https://a.example.com', revision: 1 });
    clock.now += 600;
    expect(cache.get('a')).toBeDefined();
    expect(due).toEqual(['a', 'a']);
  });

  it('should never report a refresh without onRefreshDue, nor for an expired or invalidated entry', () => {
    let now = 10_000;
    const plain = new LocalRouteCache({ maxEntries: 3, ttlMs: 1000, random: () => 0.5, now: () => now, refreshAfter: 0.1 });
    plain.set('a', { found: false, revision: 0 });
    now += 900;
    expect(plain.get('a')).toBeDefined();

    const { cache, clock, due } = refreshing();
    cache.set('a', { found: false, revision: 0 });
    cache.set('b', { found: false, revision: 0 });
    cache.invalidate('b', 1);
    clock.now += 600; // in the refresh window of a live entry
    expect(cache.get('b')).toBeUndefined();
    clock.now += 900; // past the end of 'a''s life
    expect(cache.get('a')).toBeUndefined();
    expect(due).toEqual([]);
  });
});
