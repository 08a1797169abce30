import { LossGuard } from './loss-guard';

function guard(found: Record<string, number>, options = {}) {
  let now = 1_000_000;
  const changes: Array<[string, boolean, number]> = [];
  const g = new LossGuard(
    { maxShare: 0.5, minRoutes: 3, windowMs: 60_000, ...options },
    (t) => found[t] ?? 0,
    (t, e, n) => changes.push([t, e, n]),
    () => now,
  );
  return { g, changes, advance: (ms: number) => (now += ms), found };
}

describe('LossGuard', () => {
  it('engages when more than maxShare of a tenant is lost, and at least minRoutes', () => {
    const { g, changes, found } = guard({ t: 10 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      found.t -= 1;
      g.lost('t', id);
    }
    expect(g.engaged('t')).toBe(false); // 5 of 10: not more than half
    found.t -= 1;
    g.lost('t', 'f');
    expect(g.engaged('t')).toBe(true);
    expect(changes).toEqual([['t', true, 6]]);
    expect(g.preserves('t', 'a')).toBe(true);
    expect(g.preserves('t', 'zz')).toBe(false);
    expect(g.engaged('other')).toBe(false);
  });

  it('never engages below minRoutes, however large the share', () => {
    const { g, found } = guard({ t: 2 });
    found.t = 0;
    g.lost('t', 'a');
    g.lost('t', 'b');
    expect(g.engaged('t')).toBe(false);
  });

  it('releases when routes come back, when the losses age past windowMs, or when they are accepted', () => {
    const { g, changes, found, advance } = guard({ t: 4 });
    found.t = 0;
    for (const id of ['a', 'b', 'c', 'd']) g.lost('t', id);
    expect(g.engaged('t')).toBe(true);

    found.t = 2;
    g.found('t', 'a');
    g.found('t', 'b');
    expect(g.engaged('t')).toBe(false); // 2 lost of 4: not more than half, and below minRoutes

    found.t = 0;
    g.lost('t', 'a');
    g.lost('t', 'b');
    expect(g.engaged('t')).toBe(true);
    advance(60_001);
    expect(g.preserves('t', 'a')).toBe(false);
    expect(g.engaged('t')).toBe(false);

    for (const id of ['a', 'b', 'c']) g.lost('t', id);
    expect(g.engaged('t')).toBe(true);
    g.accept('t');
    expect(g.engaged('t')).toBe(false);
    expect(g.preserves('t', 'a')).toBe(false);
    expect(changes.map(([, e]) => e)).toEqual([true, false, true, false, true, false]);
  });
});
