import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { DatabaseHealthIndicator } from '../../infra/database/database.health';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { MongoHealthIndicator } from '../../infra/mongo/mongo.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
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
    makeGaugeProvider({ name: READINESS_METRIC, help: '1 when the last /health/ready passed, 0 when it failed' }),
  ],
})
export class HealthModule {}
