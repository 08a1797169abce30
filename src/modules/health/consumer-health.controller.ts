import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConfigType } from '@nestjs/config';
import { kafkaConfig } from '../../config/kafka.config';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
import { CONSUMER_STORE_CHECKS, StoreCheck } from './health.constants';

// Health of the consumer process, on its own port (CONSUMER_PORT): ready when Kafka and the stores
// its enabled groups write to answer.
@Controller('health')
export class ConsumerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
    @Inject(CONSUMER_STORE_CHECKS) private readonly extraChecks: StoreCheck[],
  ) {}

  @Get('live')
  live() {
    return { status: 'alive', service: 'traffic-manager-consumer', groups: this.config.consumerGroups };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = [() => this.kafka.check('kafka')];
    const groups = new Set(this.config.consumerGroups);
    if (groups.has('cache_invalidation') || groups.has('cache_warming')) checks.push(() => this.redis.check('redis'));
    if (groups.has('cache_warming')) checks.push(() => this.database.pingCheck('database', { timeout: 1000 }));
    for (const check of this.extraChecks) checks.push(check);
    return this.health.check(checks);
  }
}
