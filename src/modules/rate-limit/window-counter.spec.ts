import { WindowCounter } from './window-counter';

describe(WindowCounter.name, () => {
  let now: number;
  const counter = (windowMs = 1000, maxKeys = 100) => new WindowCounter(windowMs, maxKeys, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('should count hits per key within a window', () => {
    const windows = counter();

    expect([windows.hit('a'), windows.hit('a'), windows.hit('b'), windows.hit('a')]).toEqual([1, 2, 1, 3]);
  });

  it("should open a key's window at its first hit and start over when it has ended", () => {
    const windows = counter(1000);
    windows.hit('a');
    now += 400;
    windows.hit('a');
    expect(windows.msUntilReset('a')).toBe(600);

    now += 599;
    expect(windows.hit('a')).toBe(3);
    now += 1;
    expect(windows.hit('a')).toBe(1);
    expect(windows.msUntilReset('a')).toBe(1000);
  });

  it('should report a whole window for a key it has not seen', () => {
    expect(counter(2500).msUntilReset('never')).toBe(2500);
  });

  it('should forget keys whose window ended, once per window', () => {
    const windows = counter(1000);
    windows.hit('a');
    now += 500;
    windows.hit('b');
    now += 600;

    windows.hit('c');

    expect(windows.size).toBe(2);
  });

  it('should hold at most maxKeys keys, dropping the oldest first', () => {
    const windows = counter(60_000, 3);
    for (const key of ['a', 'b', 'c', 'd']) windows.hit(key);

    expect(windows.size).toBe(3);
    expect(windows.hit('b')).toBe(2);
    expect(windows.hit('a')).toBe(1);
  });
});
