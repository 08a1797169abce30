import { retryDelayMs } from './webhook-retry';

describe('retryDelayMs', () => {
  it('grows fourfold per attempt up to the cap', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, 5000, 3_600_000, mid))).toEqual([5000, 20000, 80000, 320000, 1280000, 3600000, 3600000]);
  });

  it('spreads each delay by ±20 %', () => {
    expect(retryDelayMs(1, 1000, 10_000, () => 0)).toBe(800);
    expect(retryDelayMs(1, 1000, 10_000, () => 0.999999)).toBe(1200);
    expect(retryDelayMs(9, 1000, 10_000, () => 0)).toBe(8000);
  });
});
