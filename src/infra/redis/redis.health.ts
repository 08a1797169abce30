import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS_CLIENT } from './redis.constants';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly client: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'redis') {
    const indicator = this.health.check(key);
    try {
      const started = performance.now();
      await this.client.ping();
      return indicator.up({ latency_ms: Math.round((performance.now() - started) * 100) / 100 });
    } catch (err) {
      return indicator.down({ message: `Redis is not reachable: ${(err as Error).message}` });
    }
  }
}
