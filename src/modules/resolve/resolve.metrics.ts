import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { FAST_BUCKETS, METRIC } from '../../common/metrics/metric-names';

// Registered only by the API (resolve), so each process exposes only its own metrics.
export const RESOLVE_METRICS = [
  makeCounterProvider({ name: METRIC.resolveRequests, help: 'Resolve calls' }),
  makeCounterProvider({ name: METRIC.resolveCacheHit, help: 'Resolves answered from a positive cache entry' }),
  makeCounterProvider({ name: METRIC.resolveCacheMiss, help: 'Resolves that found no cache entry' }),
  makeCounterProvider({ name: METRIC.resolveNegativeCacheHit, help: 'Resolves answered from a negative cache entry' }),
  makeCounterProvider({
    name: METRIC.resolveFallback,
    help: 'Resolves answered from an expired in-process entry because PostgreSQL was unavailable',
  }),
  makeCounterProvider({ name: METRIC.resolveLocalCacheHit, help: 'Resolves answered from the in-process tier (also counted as cache hits)' }),
  makeCounterProvider({
    name: METRIC.resolveLocalCacheRefresh,
    help: 'In-process entries fetched again from Redis before they expired (refresh-ahead), by result: refreshed, absent (not in Redis: the entry expires), failed',
    labelNames: ['result'],
  }),
  makeHistogramProvider({ name: METRIC.resolveLatency, help: 'Resolve service time', buckets: FAST_BUCKETS }),
  makeCounterProvider({ name: METRIC.dbQueries, help: 'Read-path PostgreSQL queries' }),
  makeGaugeProvider({
    name: METRIC.resolveWatchers,
    help: 'Long-poll resolves (Prefer: wait) held on this instance, waiting for their route to change',
  }),
  makeGaugeProvider({ name: METRIC.routeWatchStreams, help: 'Watch streams (GET /api/v1/routes/watch) open on this instance' }),
];
