import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { timedCheck } from '../../common/health/timed-check';
import { REDIS_CLIENT } from './redis.constants';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    @Inject(REDIS_CLIENT) private readonly client: Redis,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'redis') {
    return timedCheck(this.health, key, 'Redis', async () => {
      await this.client.ping();
    });
  }
}
