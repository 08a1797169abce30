import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from 'mongoose';
import { MongoHealthIndicator } from './mongo.health';

const indicatorWith = (db: unknown) => new MongoHealthIndicator({ db } as unknown as Connection, new HealthIndicatorService());

describe(MongoHealthIndicator.name, () => {
  it('should be up with the ping latency when MongoDB answers', async () => {
    const result = await indicatorWith({ command: async () => ({ ok: 1 }) }).check('mongodb');

    expect(result).toEqual({ mongodb: { status: 'up', latency_ms: expect.any(Number) } });
  });

  it('should be down with the driver message when the ping fails', async () => {
    const result = await indicatorWith({ command: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:27017')) }).check();

    expect(result).toEqual({ mongodb: { status: 'down', message: 'MongoDB is not reachable: connect ECONNREFUSED 127.0.0.1:27017' } });
  });

  it('should be down when no connection was ever established', async () => {
    const result = await indicatorWith(undefined).check();

    expect(result.mongodb.status).toBe('down');
  });
});
