import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { redisConfig } from '../../config/redis.config';
import { RouteKey } from '../../contracts/route-key';
import { METRIC } from '../../common/metrics/metric-names';
import { REDIS_CLIENT } from '../../infra/redis/redis.constants';
import { RouteSnapshot } from './route-record';
import { CacheLookup, cacheKey, decodeEntry, encodeEntry, STORE_IF_NEWER_LUA } from './route-cache-codec';

type RedisWithScript = Redis & {
  storeRouteIfNewer(key: string, revision: number, value: string, ttlSeconds: number): Promise<number>;
};

// Cache-aside store for resolved routes. Every operation is best effort: a Redis failure is counted
// and reported as `error`/`false`, and callers fall back to PostgreSQL.
@Injectable()
export class RouteCache {
  private readonly logger = new Logger(RouteCache.name);
  private readonly redis: RedisWithScript;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>,
    @InjectMetric(METRIC.cacheErrors) private readonly errors: Counter<string>,
  ) {
    if (!('storeRouteIfNewer' in redis)) {
      redis.defineCommand('storeRouteIfNewer', { numberOfKeys: 1, lua: STORE_IF_NEWER_LUA });
    }
    this.redis = redis as RedisWithScript;
  }

  async lookup(key: RouteKey): Promise<CacheLookup> {
    try {
      return decodeEntry(await this.redis.get(cacheKey(key)));
    } catch (err) {
      this.fail('get', err);
      return { kind: 'error' };
    }
  }

  // Best effort (request paths): false when Redis refused or failed.
  async store(key: RouteKey, snapshot: RouteSnapshot): Promise<boolean> {
    try {
      return await this.storeOrThrow(key, snapshot);
    } catch {
      return false;
    }
  }

  // For consumers, which retry: throws when Redis fails; false when a newer revision is cached.
  async storeOrThrow(key: RouteKey, snapshot: RouteSnapshot): Promise<boolean> {
    const ttl = snapshot.active ? this.config.positiveTtlSeconds : this.config.negativeTtlSeconds;
    try {
      const applied = await this.redis.storeRouteIfNewer(cacheKey(key), snapshot.revision, encodeEntry(snapshot), ttl);
      return applied === 1;
    } catch (err) {
      this.fail('store', err);
      throw err;
    }
  }

  async removeOrThrow(key: RouteKey): Promise<void> {
    try {
      await this.redis.del(cacheKey(key));
    } catch (err) {
      this.fail('delete', err);
      throw err;
    }
  }

  private fail(operation: string, err: unknown): void {
    this.errors.inc({ operation });
    this.logger.debug(`Redis ${operation} failed: ${(err as Error).message}`);
  }
}
