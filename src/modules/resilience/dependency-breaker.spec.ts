import { CircuitState } from 'cockatiel';
import { DependencyBreaker } from './dependency-breaker';
import { CircuitOpenError } from './resilience.errors';

const down = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
const notFound = () => Promise.reject(Object.assign(new Error('No active route'), { code: 'ROUTE.NOT_FOUND' }));

describe(DependencyBreaker.name, () => {
  const make = (halfOpenAfterMs = 60_000) => new DependencyBreaker('database', { failureThreshold: 3, halfOpenAfterMs });

  it('should open after the threshold of infrastructure failures and then fail fast', async () => {
    const breaker = make();
    for (let i = 0; i < 3; i++) await expect(breaker.execute(down)).rejects.toThrow('ECONNREFUSED');

    const work = jest.fn(() => Promise.resolve(1));
    await expect(breaker.execute(work)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(work).not.toHaveBeenCalled();
    expect(breaker.snapshot()).toMatchObject({ state: 'open', failure_count: 3 });
  });

  it('should never open on answers that are not infrastructure failures (404 floods)', async () => {
    const breaker = make();
    for (let i = 0; i < 100; i++) await expect(breaker.execute(notFound)).rejects.toThrow('No active route');

    expect(breaker.state).toBe(CircuitState.Closed);
    expect(breaker.snapshot().failure_count).toBe(0);
  });

  it('should let one probe through after the pause and close on its success', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const breaker = make(5_000);
      for (let i = 0; i < 3; i++) await expect(breaker.execute(down)).rejects.toThrow();
      jest.setSystemTime(1_004_999);
      await expect(breaker.execute(() => Promise.resolve('early'))).rejects.toBeInstanceOf(CircuitOpenError);
      jest.setSystemTime(1_005_001);

      await expect(breaker.execute(() => Promise.resolve('ok'))).resolves.toBe('ok');
      expect(breaker.state).toBe(CircuitState.Closed);
    } finally {
      jest.useRealTimers();
    }
  });
});
