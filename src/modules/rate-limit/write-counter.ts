import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { REDIS_CLIENT } from '../../infra/redis/redis.constants';
import { DependencyBreakers } from '../resilience';
import { LimitState } from './limit-state';
import { RATE_LIMIT_METRIC, WRITE_COUNTER_PREFIX } from './rate-limit.constants';

// One fixed window per tenant, shared by every instance: INCRBY the request's cost (1, or the number
// of changes in a changeset), and PEXPIRE when the key has no
// expiry yet (its first hit, or a key left without one), in one script, so concurrent writes on
// several instances never lose a count or open two windows. Redis's clock decides when a window
// ends; instances' clocks play no part.
const COUNT_IN_WINDOW_LUA = `
local hits = redis.call('INCRBY', KEYS[1], tonumber(ARGV[2] or '1'))
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}`;

type RedisWithCounter = Redis & { countInWindow(key: string, windowMs: number, cost: number): Promise<[number, number]> };

// Why not @nest-lab/throttler-storage-redis (the maintained Redis storage for throttler 6 and
// ioredis): it sends its whole script with EVAL on every call (ioredis's defineCommand sends the
// SHA), keeps a second "blocked" key per tenant for a block duration this API does not use, and
// throws when Redis is down; wrapping it for the fail-open rule and the Redis breaker below would
// have left only its script, which is the six lines above.
//
// Redis down (or its breaker open): the write is let through, counted in
// rate_limit_store_failures_total and logged at most every 10 s. Writes are still bounded by
// PostgreSQL (pool, statement timeout, the writes bulkhead), and refusing every write while a
// cache is down would turn a Redis outage into a control-plane outage.
@Injectable()
export class WriteCounter {
  private readonly redis: RedisWithCounter;
  private readonly warnings = new ThrottledLog(new Logger('RateLimit'));

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    private readonly breakers: DependencyBreakers,
    @InjectMetric(RATE_LIMIT_METRIC.storeFailures) private readonly failures: Counter<string>,
  ) {
    if (!('countInWindow' in redis)) redis.defineCommand('countInWindow', { numberOfKeys: 1, lua: COUNT_IN_WINDOW_LUA });
    this.redis = redis as RedisWithCounter;
  }

  // `cost`: how many writes the request makes (a changeset of n changes costs n).
  async hit(bucket: string, limit: number, windowMs: number, cost = 1): Promise<LimitState> {
    try {
      const [hits, msUntilReset] = await this.breakers.redis.execute(() => this.redis.countInWindow(WRITE_COUNTER_PREFIX + bucket, windowMs, cost));
      return { limitClass: 'writes', bucket, limit, hits, msUntilReset };
    } catch (err) {
      this.failures.inc();
      this.warnings.warn('redis', `Write rate limits are not enforced: Redis could not be asked (${(err as Error).message}); letting writes through`);
      return { limitClass: 'writes', bucket, limit, hits: 0, msUntilReset: windowMs };
    }
  }
}
