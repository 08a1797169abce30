import { KafkaOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { KafkaConfig } from '../../config/kafka.config';
import { kafkaClientConfig } from '../../infra/kafka/kafka-client';
import { ConsumerGroupType, groupId } from './consumer-groups';

// A group's transport: the process-wide Kafka client configuration plus its consumer and (dead
// letter) producer options.
export function consumerTransportOptions(config: KafkaConfig, group: ConsumerGroupType): NonNullable<KafkaOptions['options']> {
  return {
    client: kafkaClientConfig(config, group),
    // A member that vanished (crash, broker restart) is given up after 10 s, not KafkaJS's 30 s;
    // handlers heartbeat while they retry, so slow stores do not trigger rebalances.
    consumer: { groupId: groupId(config.groupPrefix, group), sessionTimeout: 10_000, heartbeatInterval: 1000, allowAutoTopicCreation: false },
    producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    run: { partitionsConsumedConcurrently: 1 },
  };
}
