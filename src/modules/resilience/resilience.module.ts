import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { resilienceConfig } from '../../config/resilience.config';
import { BulkheadInterceptor } from './bulkhead.interceptor';
import { Bulkheads } from './bulkheads';
import { DependencyBreakers } from './dependency-breakers';
import { DrainInterceptor } from './drain.interceptor';
import { DrainState } from './drain-state';
import { GracefulShutdown } from './graceful-shutdown';
import { RESILIENCE_METRIC } from './resilience.constants';
import { ResilienceController } from './resilience.controller';

const metrics = [
  makeGaugeProvider({
    name: RESILIENCE_METRIC.breakerState,
    help: 'Circuit breaker per dependency: 0 closed, 1 half-open, 2 open',
    labelNames: ['dependency'],
  }),
  makeCounterProvider({
    name: RESILIENCE_METRIC.bulkheadRejected,
    help: 'Requests refused at once because their bulkhead and queue were full',
    labelNames: ['bulkhead'],
  }),
  makeGaugeProvider({ name: RESILIENCE_METRIC.draining, help: '1 from the shutdown signal until exit' }),
];

// Breakers and retry budgets per dependency, bulkheads per operation class, graceful draining, in
// both processes (global: every repository wraps its store calls in its dependency's breaker).
@Global()
@Module({
  imports: [ConfigModule.forFeature(resilienceConfig)],
  controllers: [ResilienceController],
  providers: [...metrics, DependencyBreakers, Bulkheads, DrainState, DrainInterceptor, BulkheadInterceptor, GracefulShutdown],
  exports: [DependencyBreakers, Bulkheads, DrainState, DrainInterceptor, BulkheadInterceptor, GracefulShutdown],
})
export class ResilienceModule {}
