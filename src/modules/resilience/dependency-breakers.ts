import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { resilienceConfig } from '../../config/resilience.config';
import { Dependency, DependencyBreaker, STATE_GAUGE } from './dependency-breaker';
import { RESILIENCE_METRIC } from './resilience.constants';
import { RetryBudget } from './retry-budget';

// One breaker and one retry budget per dependency, shared by everything in the process that calls it.
@Injectable()
export class DependencyBreakers {
  readonly database: DependencyBreaker;
  readonly redis: DependencyBreaker;
  readonly mongodb: DependencyBreaker;
  readonly kafka: DependencyBreaker;
  readonly budgets: Record<Dependency, RetryBudget>;

  constructor(
    @Inject(resilienceConfig.KEY) config: ConfigType<typeof resilienceConfig>,
    @InjectMetric(RESILIENCE_METRIC.breakerState) state: Gauge<string>,
  ) {
    const make = (name: Dependency) => {
      state.set({ dependency: name }, 0);
      return new DependencyBreaker(name, config.breaker, (s) => state.set({ dependency: name }, STATE_GAUGE[s]));
    };
    this.database = make('database');
    this.redis = make('redis');
    this.mongodb = make('mongodb');
    this.kafka = make('kafka');
    const budget = (name: Dependency) => new RetryBudget(name, config.retryBudget);
    this.budgets = { database: budget('database'), redis: budget('redis'), mongodb: budget('mongodb'), kafka: budget('kafka') };
  }

  all(): DependencyBreaker[] {
    return [this.database, this.redis, this.mongodb, this.kafka];
  }
}
