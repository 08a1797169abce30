import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { redisConfig } from '../../config/redis.config';
import { RouteKey } from '../../contracts/route-key';
import { METRIC } from '../../common/metrics/metric-names';
import { INVALIDATION_CHANNEL } from '../../infra/redis/invalidation-bus';
import { REDIS_CLIENT } from '../../infra/redis/redis.constants';
import { routeKeyString } from '../../contracts/route-key';
import { RouteSnapshot } from './route-record';
import { CacheLookup, cacheKey, decodeEntry, encodeEntry, legacyCacheKey, STORE_IF_NEWER_LUA } from './route-cache-codec';

type RedisWithScript = Redis & {
  storeRouteIfNewer(key: string, revision: number, value: string, ttlSeconds: number, channel: string, message: string): Promise<number>;
};

// "r|<revision>|<tenant:service:env:version>" on the invalidation channel (see InvalidationBus).
export function routeInvalidation(key: RouteKey, revision: number): string {
  return `r|${revision}|${routeKeyString(key)}`;
}

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

  // A committed change (the API after its commit), best effort: false when Redis refused or failed.
  async store(key: RouteKey, snapshot: RouteSnapshot): Promise<boolean> {
    try {
      return await this.storeOrThrow(key, snapshot);
    } catch {
      return false;
    }
  }

  // A committed change, for consumers, which retry: throws when Redis fails; false when a newer
  // revision is cached. Stores the entry, announces the change to every instance's in-process tier,
  // and deletes the seed's key for the route, all in one round trip (ioredis auto-pipelining).
  async storeOrThrow(key: RouteKey, snapshot: RouteSnapshot): Promise<boolean> {
    const [applied] = await Promise.all([
      this.write(key, snapshot, INVALIDATION_CHANNEL, routeInvalidation(key, snapshot.revision)),
      this.redis.del(legacyCacheKey(key)).catch((err: unknown) => this.fail('delete', err)),
    ]);
    return applied;
  }

  // A read path's write-back after a miss: nothing changed, so nothing is announced.
  async fill(key: RouteKey, snapshot: RouteSnapshot): Promise<boolean> {
    try {
      return await this.write(key, snapshot, '', '');
    } catch {
      return false;
    }
  }

  private async write(key: RouteKey, snapshot: RouteSnapshot, channel: string, message: string): Promise<boolean> {
    const ttl = snapshot.active ? this.config.positiveTtlSeconds : this.config.negativeTtlSeconds;
    try {
      const applied = await this.redis.storeRouteIfNewer(cacheKey(key), snapshot.revision, encodeEntry(snapshot), ttl, channel, message);
      return applied === 1;
    } catch (err) {
      this.fail('store', err);
      throw err;
    }
  }

  async removeOrThrow(key: RouteKey): Promise<void> {
    try {
      await this.redis.del(cacheKey(key), legacyCacheKey(key));
      await this.redis.publish(INVALIDATION_CHANNEL, routeInvalidation(key, 0));
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
