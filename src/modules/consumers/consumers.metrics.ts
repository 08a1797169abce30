import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { METRIC } from '../../common/metrics/metric-names';

// Registered only by the consumer process, so each process exposes only its own metrics.
export const CONSUMERS_METRICS = [
  makeCounterProvider({ name: METRIC.consumerProcessed, help: 'Route events handled and committed', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerFailed, help: 'Handler attempts that failed and were retried', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerDeadLettered, help: 'Poison messages sent to the dead-letter topic', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerDuplicates, help: 'Redelivered events that were already applied', labelNames: ['group'] }),
  makeGaugeProvider({ name: METRIC.consumerLag, help: 'Messages not yet committed by the group', labelNames: ['group', 'partition'] }),
  // Write to applied: from the change's occurred_at (stamped by the API when the write arrived) to the
  // moment this group's store holds it; what "is my change in effect yet" waits for on this path.
  makeHistogramProvider({
    name: METRIC.consumerEventDelay,
    help: 'Seconds from a route change (its occurred_at) until this group applied it',
    labelNames: ['group'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  }),
  // The cache reconciler (cache-reconciler.ts), with the cache_invalidation group.
  makeCounterProvider({ name: METRIC.cacheReconcileChecked, help: 'Routes whose cache entry the reconciler compared with PostgreSQL' }),
  makeCounterProvider({
    name: METRIC.cacheDrift,
    help: 'Cache entries found wrong and repaired: stale (behind PostgreSQL past the grace), mismatch (same revision, other state), ahead',
    labelNames: ['kind'],
  }),
  makeHistogramProvider({
    name: METRIC.cacheStaleness,
    help: 'How long a stale cache entry had been behind PostgreSQL when the reconciler found it',
    buckets: [1, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
  }),
  makeGaugeProvider({ name: METRIC.cacheReconcilePass, help: 'Seconds the last complete reconciliation pass over every route took' }),
];
