import { RouteWatchers, WatchEnd } from './route-watchers';

describe(RouteWatchers.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const outcome = (ended: Promise<WatchEnd>) => {
    const seen: { end?: WatchEnd } = {};
    void ended.then((end) => (seen.end = end));
    return seen;
  };
  const flush = () => Promise.resolve().then(() => undefined);

  it('should end the watches of a route older than an announced revision, and only those', async () => {
    const sizes: number[] = [];
    const watchers = new RouteWatchers(10, (size) => sizes.push(size));
    const atThree = outcome(watchers.watch('a', 3, 1000)!.ended);
    const atFive = outcome(watchers.watch('a', 5, 1000)!.ended);
    const other = outcome(watchers.watch('b', 3, 1000)!.ended);

    watchers.changed('a', 4);
    await flush();

    expect(atThree.end).toEqual({ kind: 'changed', revision: 4 });
    expect(atFive.end).toBeUndefined();
    expect(other.end).toBeUndefined();
    expect(watchers.size).toBe(2);
    expect(sizes).toEqual([1, 2, 3, 2]);
  });

  it('should end every watch of a route on an announcement without a revision (0)', async () => {
    const watchers = new RouteWatchers(10);
    const watch = outcome(watchers.watch('a', 7, 1000)!.ended);
    watchers.changed('a', 0);
    await flush();
    expect(watch.end).toEqual({ kind: 'changed', revision: 0 });
  });

  it('should end a watch when its time is over', async () => {
    const watchers = new RouteWatchers(10);
    const watch = outcome(watchers.watch('a', 1, 1000)!.ended);
    jest.advanceTimersByTime(999);
    await flush();
    expect(watch.end).toBeUndefined();
    jest.advanceTimersByTime(1);
    await flush();
    expect(watch.end).toEqual({ kind: 'timeout' });
    expect(watchers.size).toBe(0);
  });

  it('should let every watch go at once, and a cancelled one alone', async () => {
    const watchers = new RouteWatchers(10);
    const cancelled = watchers.watch('a', 1, 1000)!;
    const first = outcome(cancelled.ended);
    const others = [watchers.watch('a', 1, 1000)!, watchers.watch('b', 2, 1000)!].map((w) => outcome(w.ended));

    cancelled.cancel();
    cancelled.cancel();
    await flush();
    expect(first.end).toEqual({ kind: 'released' });
    expect(watchers.size).toBe(2);

    watchers.releaseAll();
    await flush();
    expect(others.map((o) => o.end)).toEqual([{ kind: 'released' }, { kind: 'released' }]);
    expect(watchers.size).toBe(0);
    jest.advanceTimersByTime(5000);
    watchers.changed('a', 9);
    await flush();
    expect(first.end).toEqual({ kind: 'released' });
  });

  it('should refuse a watch beyond its maximum, and take one again once a place is free', () => {
    const watchers = new RouteWatchers(2);
    const one = watchers.watch('a', 1, 1000)!;
    watchers.watch('b', 1, 1000);
    expect(watchers.watch('c', 1, 1000)).toBeUndefined();
    one.cancel();
    expect(watchers.watch('c', 1, 1000)).toBeDefined();
    expect(new RouteWatchers(0).watch('a', 1, 1000)).toBeUndefined();
  });
});
