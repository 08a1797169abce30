import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CoreModule } from './core.module';
import { KafkaModule } from './infra/kafka/kafka.module';
import { DatabaseHealthIndicator } from './infra/database/database.health';
import { KafkaHealthIndicator } from './infra/kafka/kafka.health';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { MongoHealthIndicator } from './infra/mongo/mongo.health';
import { RedisHealthIndicator } from './infra/redis/redis.health';
import { AuditStoreModule } from './modules/audit/audit-store.module';
import { AuditLogConsumer } from './modules/consumers/audit-log.consumer';
import { CacheInvalidationConsumer } from './modules/consumers/cache-invalidation.consumer';
import { CacheWarmingConsumer } from './modules/consumers/cache-warming.consumer';
import { ConsumerGroupType } from './modules/consumers/consumer-groups';
import { ConsumerGroupsHealthIndicator } from './modules/consumers/consumer-groups.health';
import { ConsumerTransports } from './modules/consumers/consumer-transports';
import { ConsumerLagReporter } from './modules/consumers/consumer-lag-reporter';
import { CONSUMERS_METRICS } from './modules/consumers/consumers.metrics';
import { EventDelivery } from './modules/consumers/event-delivery';
import { ConsumerHealthController } from './modules/health/consumer-health.controller';
import { CONSUMER_STORE_CHECKS, READINESS_METRIC } from './modules/health/health.constants';
import { RouteStoreModule } from './modules/route-store/route-store.module';

const CONSUMERS: Record<ConsumerGroupType, Type<unknown>> = {
  cache_invalidation: CacheInvalidationConsumer,
  cache_warming: CacheWarmingConsumer,
  audit_log: AuditLogConsumer,
};

// Root module of the consumer process. Only the enabled groups' handlers and stores are loaded, so
// a cache-only deployment never connects to MongoDB.
@Module({})
export class ConsumerModule {
  static register(groups: ConsumerGroupType[]): DynamicModule {
    const audit = groups.includes('audit_log');
    const storeChecks: Provider = {
      provide: CONSUMER_STORE_CHECKS,
      inject: [ConsumerGroupsHealthIndicator, ...(audit ? [MongoHealthIndicator] : [])],
      useFactory: (consumers: ConsumerGroupsHealthIndicator, mongo?: MongoHealthIndicator) => [
        ...groups.map((group) => () => consumers.check(group)),
        ...(mongo ? [() => mongo.check('mongodb')] : []),
      ],
    };
    return {
      module: ConsumerModule,
      imports: [CoreModule, KafkaModule, RouteStoreModule, TerminusModule.forRoot({ logger: false }), ...(audit ? [AuditStoreModule] : [])],
      controllers: [ConsumerHealthController, ...groups.map((group) => CONSUMERS[group])],
      providers: [
        EventDelivery,
        ConsumerLagReporter,
        ...CONSUMERS_METRICS,
        ConsumerTransports,
        ConsumerGroupsHealthIndicator,
        RedisHealthIndicator,
        DatabaseHealthIndicator,
        makeGaugeProvider({ name: READINESS_METRIC, help: '1 when the last /health/ready passed, 0 when it failed' }),
        KafkaHealthIndicator,
        ...(audit ? [MongoHealthIndicator] : []),
        storeChecks,
      ],
    };
  }
}
