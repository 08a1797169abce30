import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { timedCheck } from '../../common/health/timed-check';
import { pool } from './pool-metrics';

// PostgreSQL answers a query through the pool (so an exhausted pool is not ready either), with the
// pool's live figures.
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'database') {
    return timedCheck(this.health, key, 'PostgreSQL', async () => {
      if (!this.dataSource.isInitialized) throw new Error('not connected yet');
      await this.dataSource.query('SELECT 1');
      const p = pool(this.dataSource);
      return p
        ? {
            pool: {
              max_connections: p.options.max,
              current_connections: p.totalCount,
              idle_connections: p.idleCount,
              waiting_requests: p.waitingCount,
            },
          }
        : {};
    });
  }
}
