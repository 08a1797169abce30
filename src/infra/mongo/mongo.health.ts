import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from 'mongoose';

export interface MongoCheckOptions {
  timeoutMs?: number;
}

// The connection token is global (MongooseModule.forRootAsync), so whichever module hosts the health
// controller can provide this indicator, as it does RedisHealthIndicator.
@Injectable()
export class MongoHealthIndicator {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'mongodb', { timeoutMs = 1000 }: MongoCheckOptions = {}) {
    const indicator = this.health.check(key);
    const db = this.connection.db;
    if (!db) return indicator.down({ message: 'MongoDB is not reachable: no connection has been established yet' });
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    // A stopped server only fails the ping after serverSelectionTimeoutMS; readiness must answer sooner.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ping within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([db.command({ ping: 1 }), deadline]);
      return indicator.up({ latency_ms: Math.round((performance.now() - started) * 100) / 100 });
    } catch (err) {
      return indicator.down({ message: `MongoDB is not reachable: ${(err as Error).message}` });
    } finally {
      clearTimeout(timer);
    }
  }
}
