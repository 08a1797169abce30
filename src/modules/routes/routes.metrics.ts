import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { FAST_BUCKETS, METRIC } from '../../common/metrics/metric-names';

// Registered only by the API (writes), so each process exposes only its own metrics.
export const ROUTES_METRICS = [
  makeCounterProvider({ name: METRIC.writeRequests, help: 'Write operations started' }),
  makeCounterProvider({ name: METRIC.writeSuccess, help: 'Write operations committed (including no-op writes)' }),
  makeCounterProvider({ name: METRIC.writeFailure, help: 'Write operations that failed (once per request)' }),
  makeHistogramProvider({ name: METRIC.writeLatency, help: 'Committed write latency', buckets: FAST_BUCKETS }),
  makeCounterProvider({
    name: METRIC.writeInterlockRefusals,
    help: "Writes and changesets refused by a tenant's write-time interlock (interlock=last_active_version, mass_deactivation)",
    labelNames: ['interlock'],
  }),
  makeCounterProvider({
    name: METRIC.writeGroups,
    help: 'Group commits of single changes, by outcome (committed; alone: refused as a whole, so each change was written on its own; failed: the store was unavailable)',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: METRIC.writeGroupSize,
    help: 'Single changes per group commit (1: the write path was idle)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
  }),
  makeCounterProvider({
    name: METRIC.scheduledChangesets,
    help: 'Scheduled changesets that came due, by outcome (applied, failed)',
    labelNames: ['outcome'],
  }),
];
