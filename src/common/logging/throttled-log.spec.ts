import { Logger } from '@nestjs/common';
import { ThrottledLog } from './throttled-log';

describe(ThrottledLog.name, () => {
  let now: number;
  let warn: jest.Mock;
  let log: ThrottledLog;

  beforeEach(() => {
    now = 0;
    warn = jest.fn();
    log = new ThrottledLog({ warn } as unknown as Logger, 10_000, () => now);
  });

  it('should log a repeated key at most once per interval', () => {
    expect(log.warn('kafka', 'a')).toBe(true);
    now = 9_999;
    expect(log.warn('kafka', 'b')).toBe(false);
    now = 10_000;
    expect(log.warn('kafka', 'c')).toBe(true);

    expect(warn.mock.calls).toEqual([['a'], ['c']]);
  });

  it('should throttle each key on its own', () => {
    log.warn('kafka', 'a');
    log.warn('mongo', 'b');

    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('should count a key reported due as logged', () => {
    expect(log.due('kafka')).toBe(true);
    expect(log.due('kafka')).toBe(false);
    expect(log.warn('kafka', 'a')).toBe(false);

    expect(warn).not.toHaveBeenCalled();
  });

  it('should log again at once after the condition was cleared', () => {
    log.warn('kafka', 'a');
    log.clear('kafka');
    log.warn('kafka', 'b');

    expect(warn).toHaveBeenCalledTimes(2);
  });
});
