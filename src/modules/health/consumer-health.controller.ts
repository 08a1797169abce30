import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { DatabaseHealthIndicator } from '../../infra/database/database.health';
import { DrainState } from '../resilience/drain-state';
import { ConfigType } from '@nestjs/config';
import { kafkaConfig } from '../../config/kafka.config';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
import { CONSUMER_STORE_CHECKS, READINESS_METRIC, StoreCheck } from './health.constants';

// Health of the consumer process, on its own port (CONSUMER_PORT): ready when Kafka and the stores
// its enabled groups write to answer.
@Controller('health')
export class ConsumerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly drain: DrainState,
    @InjectMetric(READINESS_METRIC) private readonly readiness: Gauge<string>,
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
  async ready() {
    const checks: HealthIndicatorFunction[] = [() => this.kafka.check('kafka')];
    const groups = new Set(this.config.consumerGroups);
    if (groups.has('cache_invalidation') || groups.has('cache_warming')) checks.push(() => this.redis.check('redis'));
    if (groups.has('cache_warming')) checks.push(() => this.database.check('database'));
    for (const check of this.extraChecks) checks.push(check);
    checks.push(() => {
      const indicator = this.indicators.check('draining');
      return this.drain.isDraining ? indicator.down({ message: 'Draining: consumers stop after their current batch' }) : indicator.up();
    });
    try {
      const result = await this.health.check(checks);
      this.readiness.set(1);
      return result;
    } catch (err) {
      this.readiness.set(0);
      throw err;
    }
  }
}
