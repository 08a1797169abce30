import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { METRIC } from '../../common/metrics/metric-names';

// Registered only by the API (outbox relay), so each process exposes only its own metrics.
export const OUTBOX_METRICS = [
  makeCounterProvider({ name: METRIC.kafkaEventsPublished, help: 'Route events acknowledged by Kafka', labelNames: ['action'] }),
  makeCounterProvider({ name: METRIC.kafkaEventsFailed, help: 'Route event publish attempts that failed (retried)', labelNames: ['action'] }),
  makeGaugeProvider({ name: METRIC.kafkaProducerReady, help: '1 while the outbox relay holds a connected producer' }),
  makeGaugeProvider({ name: METRIC.outboxBacklog, help: 'Committed route events not yet published to Kafka' }),
  makeGaugeProvider({ name: METRIC.outboxOldestAge, help: 'Age of the oldest unpublished route event' }),
];
