import { Kafka, logLevel } from 'kafkajs';
import { KafkaConfig } from '../../config/kafka.config';
import { kafkaLogCreator } from './kafka-logger';

export function createKafkaClient(config: KafkaConfig, clientSuffix: string): Kafka {
  return new Kafka({
    clientId: `${config.clientId}-${clientSuffix}`,
    brokers: config.brokers,
    connectionTimeout: 3000,
    requestTimeout: config.requestTimeoutMs,
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 5 },
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator,
  });
}
