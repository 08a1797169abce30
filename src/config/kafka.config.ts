import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const kafkaConfig = registerAs('kafka', () => {
  const env = loadEnv();
  return {
    brokers: env.KAFKA_BOOTSTRAP_SERVERS.split(','),
    clientId: env.KAFKA_CLIENT_ID,
    routeEventsTopic: env.KAFKA_ROUTE_EVENTS_TOPIC,
    deadLetterTopic: `${env.KAFKA_ROUTE_EVENTS_TOPIC}.dlq`,
    topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
    requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT_MS,
    groupPrefix: env.KAFKA_CONSUMER_GROUP_PREFIX,
    consumerGroups: [...new Set(env.CONSUMER_GROUPS.split(','))],
  };
});

export type KafkaConfig = ReturnType<typeof kafkaConfig>;
