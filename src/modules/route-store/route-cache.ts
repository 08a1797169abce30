import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import Redis, { ChainableCommander } from 'ioredis';
import { Counter } from 'prom-client';
import { redisConfig } from '../../config/redis.config';
import { ConsumerGroupName } from '../../contracts/consumer-group-names';
import { RouteKey } from '../../contracts/route-key';
import { METRIC } from '../../common/metrics/metric-names';
import { INVALIDATION_CHANNEL, InvalidationBus } from '../../infra/redis/invalidation-bus';
import { REDIS_CLIENT } from '../../infra/redis/redis.constants';
import { routeKeyString } from '../../contracts/route-key';
import { RouteSnapshot } from './route-record';
import { DependencyBreakers } from '../resilience';
import {
  APPLIED_MARK_TTL_SECONDS,
  AppliedMark,
  appliedMarksKey,
  CacheLookup,
  cacheKey,
  cacheKeyOfId,
  decodeAppliedMark,
  decodeEntry,
  encodeEntry,
  legacyCacheKey,
  STORE_AND_MARK_LUA,
  STORE_IF_NEWER_LUA,
} from './route-cache-codec';

export type { AppliedMark } from './route-cache-codec';
export { APPLIED_MARK_TTL_SECONDS, CACHE_NAMESPACE } from './route-cache-codec';

type RedisWithScript = Redis & {
  storeRouteIfNewer(key: string, revision: number, value: string, ttlSeconds: number, channel: string, message: string): Promise<number>;
};

type PipelineWithScript = ChainableCommander & {
  storeRouteIfNewer(key: string, revision: number, value: string, ttlSeconds: number, channel: string, message: string): ChainableCommander;
  storeRouteAndMark(
    key: string,
    marksKey: string,
    revision: number,
    value: string,
    ttlSeconds: number,
    channel: string,
    message: string,
    group: string,
    markRevision: number,
    appliedAtMs: number,
    markTtlSeconds: number,
  ): ChainableCommander;
};

// A pipelined batch may take longer than the request path's REDIS_COMMAND_TIMEOUT_MS on a busy host
// without anything being wrong; consumers retry a failed batch anyway, so they wait this long.
const BATCH_COMMAND_TIMEOUT_MS = 5000;

// A committed change for storeManyOrThrow: the route's new state, or null to drop its entries (an
// event from before revisions existed).
export interface RouteCacheChange {
  key: RouteKey;
  snapshot: RouteSnapshot | null;
  // With storeManyOrThrow's `group`: the revision of the route this change brings into effect, for
  // the group's applied mark (docs/design.md, "Is my change live?"); 0 or absent: no mark.
  markRevision?: number;
}

// "r|<revision>|<tenant:service:env:version>" on the invalidation channel (see InvalidationBus).
export function routeInvalidation(key: RouteKey, revision: number): string {
  return `r|${revision}|${routeKeyString(key)}`;
}

// Cache-aside store for resolved routes. Every operation is best effort: a Redis failure is counted
// and reported as `error`/`false`, and callers fall back to PostgreSQL.
@Injectable()
export class RouteCache implements OnApplicationShutdown {
  private readonly logger = new Logger(RouteCache.name);
  private readonly redis: RedisWithScript;
  private batchClient?: Redis;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(redisConfig.KEY) private readonly config: ConfigType<typeof redisConfig>,
    @InjectMetric(METRIC.cacheErrors) private readonly errors: Counter<string>,
    private readonly breakers: DependencyBreakers,
    private readonly bus: InvalidationBus,
  ) {
    if (!('storeRouteIfNewer' in redis)) {
      redis.defineCommand('storeRouteIfNewer', { numberOfKeys: 1, lua: STORE_IF_NEWER_LUA });
    }
    this.redis = redis as RedisWithScript;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batchClient?.quit().catch(() => this.batchClient?.disconnect());
  }

  // Through the Redis breaker: while it is open the lookup is an 'error' at once and resolve goes
  // to PostgreSQL without waiting on Redis (the breaker itself lets a probe through after its pause).
  async lookup(key: RouteKey): Promise<CacheLookup> {
    try {
      return decodeEntry(await this.breakers.redis.execute(() => this.redis.get(cacheKey(key))));
    } catch (err) {
      this.fail('get', err);
      return { kind: 'error' };
    }
  }

  // Each consumer group's applied mark for the route (group -> mark); throws when Redis fails or its
  // breaker is open, so the caller can tell "no mark" from "cannot tell".
  async appliedMarks(key: RouteKey): Promise<Map<string, AppliedMark>> {
    let fields: Record<string, string>;
    try {
      fields = await this.breakers.redis.execute(() => this.redis.hgetall(appliedMarksKey(key)));
    } catch (err) {
      this.fail('get', err);
      throw err;
    }
    const marks = new Map<string, AppliedMark>();
    for (const [group, value] of Object.entries(fields)) {
      const mark = decodeAppliedMark(value);
      if (mark) marks.set(group, mark);
    }
    return marks;
  }

  // Many routes in one MGET, by routeKeyString: one lookup per id, in order; all 'error' when Redis
  // failed or its breaker is open (the in-process tier's refresh-ahead, which then lets entries expire).
  async lookupMany(ids: readonly string[]): Promise<CacheLookup[]> {
    try {
      const values = await this.breakers.redis.execute(() => this.redis.mget(ids.map(cacheKeyOfId)));
      return values.map(decodeEntry);
    } catch (err) {
      this.fail('get', err);
      return ids.map(() => ({ kind: 'error' }));
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
    const message = routeInvalidation(key, snapshot.revision);
    this.bus.deliverLocally(message);
    const [applied] = await Promise.all([
      this.write(key, snapshot, INVALIDATION_CHANNEL, message),
      this.redis.del(legacyCacheKey(key)).catch((err: unknown) => this.fail('delete', err)),
    ]);
    return applied;
  }

  // Many committed changes, for consumers, in one pipeline and in order: each one does exactly what
  // storeOrThrow (snapshot) or removeOrThrow (null) does. Throws when any store or removal failed
  // (all of them may be retried: the revision guard makes that harmless); otherwise per change
  // whether it was applied (false: a newer revision is cached).
  // With `group`, each change that names a markRevision also raises the group's applied mark for its
  // route, in the same script call as its store (STORE_AND_MARK_LUA), so a mark never claims a store
  // that did not happen and costs no command of its own.
  async storeManyOrThrow(changes: RouteCacheChange[], group?: ConsumerGroupName): Promise<boolean[]> {
    const pipeline = this.batchRedis().pipeline() as PipelineWithScript;
    const appliedAt = Date.now();
    for (const { key, snapshot, markRevision } of changes) {
      if (snapshot) {
        const args = [
          snapshot.revision,
          encodeEntry(snapshot),
          this.ttl(snapshot),
          INVALIDATION_CHANNEL,
          routeInvalidation(key, snapshot.revision),
        ] as const;
        if (group && markRevision) {
          pipeline.storeRouteAndMark(cacheKey(key), appliedMarksKey(key), ...args, group, markRevision, appliedAt, APPLIED_MARK_TTL_SECONDS);
        } else {
          pipeline.storeRouteIfNewer(cacheKey(key), ...args);
        }
        pipeline.del(legacyCacheKey(key));
      } else {
        pipeline.del(cacheKey(key), legacyCacheKey(key));
        pipeline.publish(INVALIDATION_CHANNEL, routeInvalidation(key, 0));
      }
    }
    let replies: Array<[Error | null, unknown]>;
    try {
      replies = (await this.breakers.redis.execute(() => pipeline.exec())) ?? [];
    } catch (err) {
      this.fail('store', err);
      throw err;
    }
    const applied: boolean[] = [];
    changes.forEach(({ snapshot }, i) => {
      const [writeError, reply] = replies[2 * i] ?? [new Error('Redis gave no reply')];
      const [secondError] = replies[2 * i + 1] ?? [new Error('Redis gave no reply')];
      const failure = writeError ?? (snapshot ? null : secondError);
      if (failure) {
        this.fail(snapshot ? 'store' : 'delete', failure);
        throw failure;
      }
      if (secondError) this.fail('delete', secondError);
      applied.push(snapshot ? reply === 1 : true);
    });
    return applied;
  }

  // Batches use a connection of their own (opened on first use, so only by consumers), with the
  // longer timeout, and do not hold up the auto-pipelined commands of other callers.
  private batchRedis(): Redis {
    if (!this.batchClient) {
      const client = this.redis.duplicate({
        connectionName: 'traffic-manager-batches',
        enableOfflineQueue: true,
        commandTimeout: BATCH_COMMAND_TIMEOUT_MS,
      });
      client.defineCommand('storeRouteIfNewer', { numberOfKeys: 1, lua: STORE_IF_NEWER_LUA });
      client.defineCommand('storeRouteAndMark', { numberOfKeys: 2, lua: STORE_AND_MARK_LUA });
      // Failures reach the callers through their commands; the main client logs connection trouble.
      client.on('error', () => undefined);
      this.batchClient = client;
    }
    return this.batchClient;
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
    try {
      const applied = await this.breakers.redis.execute(() =>
        this.redis.storeRouteIfNewer(cacheKey(key), snapshot.revision, encodeEntry(snapshot), this.ttl(snapshot), channel, message),
      );
      return applied === 1;
    } catch (err) {
      this.fail('store', err);
      throw err;
    }
  }

  async removeOrThrow(key: RouteKey): Promise<void> {
    this.bus.deliverLocally(routeInvalidation(key, 0));
    try {
      await this.breakers.redis.execute(async () => {
        await this.redis.del(cacheKey(key), legacyCacheKey(key));
        await this.redis.publish(INVALIDATION_CHANNEL, routeInvalidation(key, 0));
      });
    } catch (err) {
      this.fail('delete', err);
      throw err;
    }
  }

  private ttl(snapshot: RouteSnapshot): number {
    return snapshot.active ? this.config.positiveTtlSeconds : this.config.negativeTtlSeconds;
  }

  private fail(operation: string, err: unknown): void {
    this.errors.inc({ operation });
    this.logger.debug(`Redis ${operation} failed: ${(err as Error).message}`);
  }
}
