import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { timedCheck } from '../../common/health/timed-check';
import { KafkaTopics } from './kafka-topics';

@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly topics: KafkaTopics,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'kafka') {
    return timedCheck(this.health, key, 'Kafka', async () => ({ brokers: await this.topics.describeCluster() }), 2000);
  }
}
