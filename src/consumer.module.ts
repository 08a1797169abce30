import { DynamicModule, Module } from '@nestjs/common';
import { CoreModule } from './core.module';
import { KafkaModule } from './infra/kafka/kafka.module';
import { ConsumerGroupType } from './modules/consumers';
import { ConsumersModule } from './modules/consumers';

// Root module of the consumer process: the shared core, Kafka, and the enabled consumer groups.
@Module({})
export class ConsumerModule {
  static register(groups: ConsumerGroupType[]): DynamicModule {
    return { module: ConsumerModule, imports: [CoreModule, KafkaModule, ConsumersModule.register(groups)] };
  }
}
