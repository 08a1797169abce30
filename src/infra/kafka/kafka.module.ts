import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { kafkaConfig } from '../../config/kafka.config';
import { createKafkaClient } from './kafka-client';
import { KAFKA_CLIENT } from './kafka.constants';
import { KafkaTopics } from './kafka-topics';

@Global()
@Module({
  providers: [
    { provide: KAFKA_CLIENT, inject: [kafkaConfig.KEY], useFactory: (config: ConfigType<typeof kafkaConfig>) => createKafkaClient(config, 'app') },
    KafkaTopics,
  ],
  exports: [KAFKA_CLIENT, KafkaTopics],
})
export class KafkaModule implements OnApplicationShutdown {
  constructor(@Inject(KafkaTopics) private readonly topics: KafkaTopics) {}

  async onApplicationShutdown(): Promise<void> {
    await this.topics.close();
  }
}
