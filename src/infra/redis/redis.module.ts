import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import Redis from 'ioredis';
import { redisConfig } from '../../config/redis.config';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { InvalidationBus } from './invalidation-bus';
import { REDIS_CLIENT } from './redis.constants';

const logger = new Logger('Redis');

function createClient(config: ConfigType<typeof redisConfig>): Redis {
  const client = new Redis({
    host: config.host,
    port: config.port,
    db: config.db,
    password: config.password,
    connectionName: 'traffic-manager',
    // Fail fast instead of queueing while disconnected: every caller has a PostgreSQL fallback,
    // and a bounded command timeout covers a Redis that is up but slow.
    enableOfflineQueue: false,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    // Commands issued in the same tick (concurrent resolves, a change's store + delete) share one
    // write and one round trip.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // ioredis emits an error per reconnect attempt while Redis is down.
  const errors = new ThrottledLog(logger);
  client.on('error', (err: Error) => errors.warn('connection', `Redis connection problem: ${err.message}`));
  client.on('ready', () => logger.log('Redis connection ready'));
  return client;
}

@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [redisConfig.KEY], useFactory: createClient },
    InvalidationBus,
    makeGaugeProvider({
      name: 'cache_connected',
      help: '1 while the Redis connection is ready (the seed pinged every 30 s)',
      inject: [REDIS_CLIENT],
      collect(client: Redis) {
        this.set(client.status === 'ready' ? 1 : 0);
      },
    }),
  ],
  exports: [REDIS_CLIENT, InvalidationBus],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
