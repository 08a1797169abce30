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
    name: METRIC.scheduledChangesets,
    help: 'Scheduled changesets that came due, by outcome (applied, failed)',
    labelNames: ['outcome'],
  }),
];
