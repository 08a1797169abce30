import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Connection } from 'mongoose';
import { timedCheck } from '../../common/health/timed-check';

// The connection token is global (MongooseModule.forRootAsync), so whichever module hosts the health
// controller can provide this indicator, as it does RedisHealthIndicator.
@Injectable()
export class MongoHealthIndicator {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'mongodb') {
    return timedCheck(this.health, key, 'MongoDB', async () => {
      const db = this.connection.db;
      if (!db) throw new Error('no connection has been established yet');
      await db.command({ ping: 1 });
    });
  }
}
