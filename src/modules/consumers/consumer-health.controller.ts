import { Controller, Get, Inject } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { kafkaConfig } from '../../config/kafka.config';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { READINESS_METRIC } from '../health';
import { DrainState } from '../resilience';
import { CONSUMER_READINESS_CHECKS } from './consumers.constants';

// Health of the consumer process, on its own port (CONSUMER_PORT): ready when Kafka answers, every
// enabled group is consuming, and the stores those groups write to answer (consumer-groups.ts).
@Controller('health')
export class ConsumerHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly drain: DrainState,
    @InjectMetric(READINESS_METRIC) private readonly readiness: Gauge<string>,
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
  async ready() {
    try {
      const result = await this.health.check([() => this.kafka.check('kafka'), ...this.groupChecks, () => this.drainCheck()]);
      this.readiness.set(1);
      return result;
    } catch (err) {
      this.readiness.set(0);
      throw err;
    }
  }

  private drainCheck() {
    const indicator = this.indicators.check('draining');
    return this.drain.isDraining ? indicator.down({ message: 'Draining: consumers stop after their current batch' }) : indicator.up();
  }
}
