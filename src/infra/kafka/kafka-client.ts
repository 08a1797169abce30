import { Kafka, KafkaConfig as KafkaClientConfig, logLevel } from 'kafkajs';
import { KafkaConfig } from '../../config/kafka.config';
import { kafkaLogCreator } from './kafka-logger';

// The one KafkaJS client configuration of both processes: the shared client (relay, admin, lag,
// health) and every consumer group's transport, which adds only its consumer and producer options.
export function kafkaClientConfig(config: KafkaConfig, clientSuffix: string): KafkaClientConfig {
  return {
    clientId: `${config.clientId}-${clientSuffix}`,
    brokers: config.brokers,
    connectionTimeout: 3000,
    requestTimeout: config.requestTimeoutMs,
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5 },
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator,
  };
}

export function createKafkaClient(config: KafkaConfig, clientSuffix: string): Kafka {
  return new Kafka(kafkaClientConfig(config, clientSuffix));
}
