import { RouteEntry, RouteState, RouteTable, supersedes } from './route-table';

const held = (overrides: Partial<RouteEntry>): RouteEntry => ({
  found: true,
  url: 'https://a.example.com',
  revision: 5,
  afterRevision: false,
  confirmedAt: 0,
  epoch: 0,
  fromSnapshot: false,
  ...overrides,
});
const found = (revision: number): RouteState => ({ found: true, url: 'https://b.example.com', revision });
const deactivated = (revision: number): RouteState => ({ found: false, revision, afterRevision: false });
const notFoundAfter = (revision: number): RouteState => ({ found: false, revision, afterRevision: true });

describe('supersedes (never an older revision than one held)', () => {
  it.each([
    ['a later revision over a found route', found(6), held({}), true],
    ['an older revision over a found route', found(4), held({}), false],
    ['the same revision again', found(5), held({}), true],
    ['a deactivation event over the found revision before it', deactivated(6), held({}), true],
    ['an older deactivation event', deactivated(4), held({}), false],
    ['a 404 after the revision held', notFoundAfter(5), held({}), true],
    ['a 404 that started before a later revision arrived', notFoundAfter(5), held({ revision: 6 }), false],
    ['a replayed event of the revision a 404 went past', found(5), held({ found: false, afterRevision: true }), false],
    ['a replayed deactivation of the revision a 404 went past', deactivated(5), held({ found: false, afterRevision: true }), false],
    ['a reactivation after a 404', found(7), held({ found: false, afterRevision: true }), true],
    ['an older revision over a snapshot entry (a restored database)', found(1), held({ fromSnapshot: true }), true],
  ])('%s', (_what, next, current, expected) => {
    expect(supersedes(next, current)).toBe(expected);
  });
});

describe('RouteTable', () => {
  it('should keep what it holds against an older answer but count the same state again as confirmed', () => {
    const table = new RouteTable(10);
    table.apply('k', found(5), 0, 1_000);
    expect(table.apply('k', found(4), 1, 2_000)).toBe(false);
    expect(table.get('k')).toMatchObject({ revision: 5, confirmedAt: 1_000, epoch: 0 });
    table.apply('k', found(5), 2, 3_000);
    expect(table.get('k')).toMatchObject({ revision: 5, confirmedAt: 3_000, epoch: 2 });
  });

  it('should load snapshot routes only where nothing is held, and stay bounded', () => {
    const table = new RouteTable(2);
    table.apply('a', found(9), 0, 1_000);
    expect(
      table.loadSnapshot([
        { key: 'a', url: 'https://old.example.com', revision: 1, confirmedAt: 1 },
        { key: 'b', url: 'https://b.example.com', revision: 2, confirmedAt: 1 },
      ]),
    ).toBe(1);
    expect(table.get('a')).toMatchObject({ revision: 9, fromSnapshot: false });
    expect(table.get('b')).toMatchObject({ revision: 2, fromSnapshot: true });
    table.apply('c', found(1), 0, 1_000);
    expect(table.size).toBe(2);
  });
});
