import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { METRIC } from '../../common/metrics/metric-names';
import { DependencyBreakers } from '../resilience';

// The route store's way to PostgreSQL, shared by its repositories: every query and transaction goes
// through the database breaker (while PostgreSQL is failing, callers get CircuitOpenError, a 503, at
// once instead of each waiting for a connection timeout), and connection failures are counted.
@Injectable()
export class GuardedQueries {
  constructor(
    @InjectDataSource() readonly dataSource: DataSource,
    private readonly breakers: DependencyBreakers,
    @InjectMetric(METRIC.dbConnectionErrors) private readonly connectionErrors: Counter<string>,
  ) {}

  query<T>(sql: string, params: unknown[]): Promise<T> {
    return this.guarded(() => this.dataSource.query(sql, params) as Promise<T>);
  }

  guarded<T>(work: () => Promise<T>): Promise<T> {
    return this.breakers.database.execute(work).catch((err: unknown) => {
      if (isInfrastructureFailure(err)) this.connectionErrors.inc();
      throw err;
    });
  }
}
