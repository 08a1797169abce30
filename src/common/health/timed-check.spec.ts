import { HealthIndicatorService } from '@nestjs/terminus';
import { degraded, timedCheck } from './timed-check';

describe(timedCheck.name, () => {
  const health = new HealthIndicatorService();

  it('should answer down after the timeout when the probe hangs, and leave no timer behind', async () => {
    jest.useFakeTimers();
    try {
      const result = timedCheck(health, 'kafka', 'Kafka', () => new Promise(() => undefined), 2000);
      jest.advanceTimersByTime(2000);

      await expect(result).resolves.toEqual({ kafka: { status: 'down', message: 'Kafka is not reachable: no answer within 2000 ms' } });
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should clear its timer when the probe answers first', async () => {
    jest.useFakeTimers();
    try {
      await expect(timedCheck(health, 'redis', 'Redis', async () => ({ brokers: 1 }))).resolves.toEqual({
        redis: { status: 'up', latency_ms: expect.any(Number), brokers: 1 },
      });
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should report a failing optional dependency as degraded, not down', () => {
    expect(degraded({ redis: { status: 'down', message: 'Redis is not reachable: x' } })).toEqual({
      redis: { status: 'up', degraded: true, message: 'Redis is not reachable: x' },
    });
  });
});
