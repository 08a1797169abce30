import Redis from 'ioredis';

export function redisClient(port = Number(process.env.REDIS_PORT ?? 6379)): Redis {
  return new Redis({ host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 1 });
}
