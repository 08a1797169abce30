import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { kafkaConfig } from '../../config/kafka.config';
import { METRIC } from '../../common/metrics/metric-names';
import { KafkaTopics } from '../../infra/kafka/kafka-topics';
import { ConsumerGroupType, groupId } from './consumer-groups';

const REFRESH_MS = 5000;

// Lag per group and partition for /metrics: the topic's end offsets minus the group's commits.
@Injectable()
export class ConsumerLagReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConsumerLagReporter.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly topics: KafkaTopics,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
    @InjectMetric(METRIC.consumerLag) private readonly lag: Gauge<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    for (const type of this.config.consumerGroups as ConsumerGroupType[]) {
      try {
        for (const { partition, lag } of await this.topics.lag(groupId(this.config.groupPrefix, type), this.config.routeEventsTopic)) {
          this.lag.set({ group: type, partition: String(partition) }, lag);
        }
      } catch (err) {
        this.logger.debug(`lag of ${type} unavailable: ${(err as Error).message}`);
      }
    }
  }
}
