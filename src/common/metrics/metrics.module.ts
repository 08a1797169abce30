import { Global, Module } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { METRIC } from './metric-names';

const FAST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const startedAt = Date.now();

const providers = [
  makeCounterProvider({ name: METRIC.resolveRequests, help: 'Resolve calls' }),
  makeCounterProvider({ name: METRIC.resolveCacheHit, help: 'Resolves answered from a positive cache entry' }),
  makeCounterProvider({ name: METRIC.resolveCacheMiss, help: 'Resolves that found no cache entry' }),
  makeCounterProvider({ name: METRIC.resolveNegativeCacheHit, help: 'Resolves answered from a negative cache entry' }),
  makeCounterProvider({ name: METRIC.resolveFallback, help: 'Resolves answered from an expired in-process entry because PostgreSQL was unavailable' }),
  makeCounterProvider({ name: METRIC.resolveLocalCacheHit, help: 'Resolves answered from the in-process tier (also counted as cache hits)' }),
  makeHistogramProvider({ name: METRIC.resolveLatency, help: 'Resolve service time', buckets: FAST_BUCKETS }),
  makeCounterProvider({ name: METRIC.cacheErrors, help: 'Redis operations that failed or timed out', labelNames: ['operation'] }),
  makeCounterProvider({ name: METRIC.dbQueries, help: 'Read-path PostgreSQL queries' }),
  makeCounterProvider({ name: METRIC.writeRequests, help: 'Write operations started' }),
  makeCounterProvider({ name: METRIC.writeSuccess, help: 'Write operations committed (including no-op writes)' }),
  makeCounterProvider({ name: METRIC.writeFailure, help: 'Write operations that failed (once per request)' }),
  makeHistogramProvider({ name: METRIC.writeLatency, help: 'Committed write latency', buckets: FAST_BUCKETS }),
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
  makeCounterProvider({ name: METRIC.kafkaEventsPublished, help: 'Route events acknowledged by Kafka', labelNames: ['action'] }),
  makeCounterProvider({ name: METRIC.kafkaEventsFailed, help: 'Route event publish attempts that failed (retried)', labelNames: ['action'] }),
  makeGaugeProvider({ name: METRIC.kafkaProducerReady, help: '1 while the outbox relay holds a connected producer' }),
  makeGaugeProvider({ name: METRIC.outboxBacklog, help: 'Committed route events not yet published to Kafka' }),
  makeGaugeProvider({ name: METRIC.outboxOldestAge, help: 'Age of the oldest unpublished route event' }),
  makeCounterProvider({ name: METRIC.consumerProcessed, help: 'Route events handled and committed', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerFailed, help: 'Handler attempts that failed and were retried', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerDeadLettered, help: 'Poison messages sent to the dead-letter topic', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerDuplicates, help: 'Redelivered events that were already applied', labelNames: ['group'] }),
  makeGaugeProvider({ name: METRIC.consumerLag, help: 'Messages not yet committed by the group', labelNames: ['group', 'partition'] }),
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
