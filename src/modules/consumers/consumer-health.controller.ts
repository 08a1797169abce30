import { Controller, Get, Inject } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HealthCheck, HealthIndicatorFunction } from '@nestjs/terminus';
import { kafkaConfig } from '../../config/kafka.config';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { Readiness } from '../health';
import { CONSUMER_READINESS_CHECKS } from './consumers.constants';

// Health of the consumer process, on its own port (CONSUMER_PORT): ready when Kafka answers, every
// enabled group is consuming, and the stores those groups write to answer (consumer-groups.ts).
@Controller('health')
export class ConsumerHealthController {
  constructor(
    private readonly readiness: Readiness,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
    @Inject(CONSUMER_READINESS_CHECKS) private readonly groupChecks: HealthIndicatorFunction[],
  ) {}

  @Get('live')
  live() {
    return { status: 'alive', service: 'traffic-manager-consumer', groups: this.config.consumerGroups };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.readiness.check([() => this.kafka.check('kafka'), ...this.groupChecks], 'Draining: consumers stop after their current batch');
  }
}
