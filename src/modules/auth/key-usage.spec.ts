import { KeyUsage } from './key-usage';

describe(KeyUsage.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should write every use recorded within the delay in one statement', async () => {
    const write = jest.fn().mockResolvedValue(undefined);
    const usage = new KeyUsage({ write, flushDelayMs: 1000 });
    const at = new Date('2026-11-21T10:00:00Z');

    usage.record('a', at);
    usage.record('b', at);
    usage.record('a', new Date('2026-11-21T10:00:01Z'));
    expect(write).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1000);

    expect(write).toHaveBeenCalledTimes(1);
    expect([...write.mock.calls[0][0].entries()]).toEqual([
      ['a', new Date('2026-11-21T10:00:01Z')],
      ['b', at],
    ]);
    expect(usage.size).toBe(0);
  });

  it('should keep what a failed write held and write it with the next flush', async () => {
    const write = jest.fn().mockRejectedValueOnce(new Error('connection refused')).mockResolvedValue(undefined);
    const usage = new KeyUsage({ write, flushDelayMs: 1000 });

    usage.record('a', new Date(1));
    await jest.advanceTimersByTimeAsync(1000);
    expect(usage.size).toBe(1);
    await jest.advanceTimersByTimeAsync(1000);

    expect(write).toHaveBeenCalledTimes(2);
    expect([...write.mock.calls[1][0].keys()]).toEqual(['a']);
    expect(usage.size).toBe(0);
  });

  it('should write what is pending when stopped, and schedule nothing afterwards', async () => {
    const write = jest.fn().mockResolvedValue(undefined);
    const usage = new KeyUsage({ write, flushDelayMs: 1000 });
    usage.record('a', new Date(1));

    await usage.stop();
    usage.record('b', new Date(2));
    await jest.advanceTimersByTimeAsync(5000);

    expect(write).toHaveBeenCalledTimes(1);
    expect([...write.mock.calls[0][0].keys()]).toEqual(['a']);
  });
});
