import { Global, Module } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider, PrometheusModule } from '@willsoto/nestjs-prometheus';
import { FAST_BUCKETS, METRIC } from './metric-names';

const startedAt = Date.now();

const providers = [
  makeCounterProvider({ name: METRIC.dbConnectionErrors, help: 'PostgreSQL calls that got no connection (pool exhausted, refused, timed out)' }),
  makeCounterProvider({ name: METRIC.cacheErrors, help: 'Redis operations that failed or timed out', labelNames: ['operation'] }),
  makeCounterProvider({
    name: METRIC.apiRequests,
    help: 'HTTP requests by route pattern',
    labelNames: ['method', 'endpoint', 'status_code'],
  }),
  makeHistogramProvider({
    name: METRIC.apiRequestDuration,
    help: 'HTTP request duration by route pattern',
    labelNames: ['method', 'endpoint'],
    buckets: FAST_BUCKETS,
  }),
  makeCounterProvider({ name: METRIC.correlationIdsGenerated, help: 'Requests that got a generated correlation id' }),
  makeCounterProvider({ name: METRIC.correlationIdsProvided, help: 'Requests whose correlation id was accepted' }),
  makeGaugeProvider({
    name: METRIC.uptime,
    help: 'Seconds since the process started',
    collect() {
      this.set((Date.now() - startedAt) / 1000);
    },
  }),
];

// Metric names are the seed's, so existing dashboards and alerts keep working.
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers,
  exports: providers,
})
export class MetricsModule {}
