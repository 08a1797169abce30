import { BrokenCircuitError, CircuitBreakerPolicy, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { CircuitOpenError } from './resilience.errors';

export type Dependency = 'database' | 'redis' | 'mongodb' | 'kafka';

const STATE_NAMES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};
// circuit_breaker_state: 0 closed, 1 half-open, 2 open.
export const STATE_GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

export interface BreakerOptions {
  failureThreshold: number;
  halfOpenAfterMs: number;
}

// A cockatiel breaker for one dependency. Only infrastructure failures count (timeouts, refused or
// dropped connections): a 404, a validation error or a constraint violation is the caller's answer,
// not the dependency failing. After `failureThreshold` such failures in a row it opens; after
// `halfOpenAfterMs` one probe goes through (concurrent callers wait for its outcome), and a success
// closes it again.
export class DependencyBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private totalCalls = 0;
  private failures = 0;
  private successes = 0;
  private lastOpenTime: number | null = null;

  constructor(
    readonly name: Dependency,
    private readonly options: BreakerOptions,
    onStateChange: (state: CircuitState) => void = () => undefined,
  ) {
    this.policy = circuitBreaker(handleWhen(isInfrastructureFailure), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.failureThreshold),
    });
    this.policy.onSuccess(() => (this.successes += 1));
    this.policy.onFailure(({ reason }) => {
      if ('error' in reason && isInfrastructureFailure(reason.error)) this.failures += 1;
    });
    this.policy.onBreak(() => (this.lastOpenTime = Date.now()));
    this.policy.onStateChange(onStateChange);
  }

  get state(): CircuitState {
    return this.policy.state;
  }

  // Runs `work` through the breaker; while it is open this throws CircuitOpenError at once.
  async execute<T>(work: () => Promise<T>): Promise<T> {
    this.totalCalls += 1;
    try {
      return await this.policy.execute(work);
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw new CircuitOpenError(this.name);
      throw err;
    }
  }

  snapshot() {
    return {
      name: this.name,
      state: STATE_NAMES[this.policy.state],
      total_calls: this.totalCalls,
      failure_count: this.failures,
      success_count: this.successes,
      failure_rate: this.totalCalls === 0 ? 0 : Math.round((this.failures / this.totalCalls) * 10000) / 100,
      last_open_time: this.lastOpenTime === null ? null : this.lastOpenTime / 1000,
      config: { failure_threshold: this.options.failureThreshold, half_open_after_ms: this.options.halfOpenAfterMs },
    };
  }
}
