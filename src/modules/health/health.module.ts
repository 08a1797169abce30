import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { DatabaseHealthIndicator } from '../../infra/database/database.health';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { MongoHealthIndicator } from '../../infra/mongo/mongo.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
import { InvalidationBus } from '../../infra/redis/invalidation-bus';
import { InvalidationChannelHealthIndicator } from '../../infra/redis/invalidation-channel.health';
import { METRIC } from '../../common/metrics/metric-names';
import { READINESS_METRIC } from './health.constants';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';

@Module({
  imports: [TerminusModule.forRoot({ logger: false, gracefulShutdownTimeoutMs: 0 })],
  controllers: [HealthController],
  providers: [
    Readiness,
    DatabaseHealthIndicator,
    RedisHealthIndicator,
    KafkaHealthIndicator,
    MongoHealthIndicator,
    InvalidationChannelHealthIndicator,
    makeGaugeProvider({ name: READINESS_METRIC, help: '1 when the last /health/ready passed, 0 when it failed' }),
    // The API's only: the consumer process publishes on the channel but does not subscribe to it.
    makeGaugeProvider({
      name: METRIC.invalidationChannel,
      help: '1 while this instance is subscribed to the invalidation channel; 0: in-process caches are bypassed until it is back',
      inject: [InvalidationBus],
      collect(bus: InvalidationBus) {
        this.set(bus.live ? 1 : 0);
      },
    }),
  ],
})
export class HealthModule {}
