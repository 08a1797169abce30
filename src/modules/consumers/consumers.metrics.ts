import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { METRIC } from '../../common/metrics/metric-names';

// Registered only by the consumer process, so each process exposes only its own metrics.
export const CONSUMERS_METRICS = [
  makeCounterProvider({ name: METRIC.consumerProcessed, help: 'Route events handled and committed', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerFailed, help: 'Handler attempts that failed and were retried', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerDeadLettered, help: 'Poison messages sent to the dead-letter topic', labelNames: ['group'] }),
  makeCounterProvider({ name: METRIC.consumerDuplicates, help: 'Redelivered events that were already applied', labelNames: ['group'] }),
  makeGaugeProvider({ name: METRIC.consumerLag, help: 'Messages not yet committed by the group', labelNames: ['group', 'partition'] }),
];
