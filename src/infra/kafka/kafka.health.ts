import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaTopics } from './kafka-topics';

@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly topics: KafkaTopics,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'kafka') {
    const indicator = this.health.check(key);
    try {
      const brokers = await Promise.race([
        this.topics.describeCluster(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000)),
      ]);
      return indicator.up({ brokers });
    } catch (err) {
      return indicator.down({ message: `Kafka is not reachable: ${(err as Error).message}` });
    }
  }
}
