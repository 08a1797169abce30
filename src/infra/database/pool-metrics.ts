import { getDataSourceToken } from '@nestjs/typeorm';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { DataSource } from 'typeorm';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

export function pool(dataSource: DataSource): PgPool | undefined {
  return dataSource.isInitialized ? ((dataSource.driver as unknown as { master?: PgPool }).master ?? undefined) : undefined;
}

// The seed's pool gauges, read live from the pg pool at scrape time (the seed reported the
// configured maximum as the size and refreshed every 30 s).
export const POOL_METRICS = [
  makeGaugeProvider({
    name: 'db_pool_size',
    help: 'Open PostgreSQL connections in the pool',
    inject: [getDataSourceToken()],
    collect(dataSource: DataSource) {
      this.set(pool(dataSource)?.totalCount ?? 0);
    },
  }),
  makeGaugeProvider({
    name: 'db_pool_in_use',
    help: 'PostgreSQL connections checked out of the pool',
    inject: [getDataSourceToken()],
    collect(dataSource: DataSource) {
      const p = pool(dataSource);
      this.set(p ? p.totalCount - p.idleCount : 0);
    },
  }),
  makeGaugeProvider({
    name: 'db_pool_available',
    help: 'Connections the pool can still hand out without waiting (idle plus not yet opened)',
    inject: [getDataSourceToken()],
    collect(dataSource: DataSource) {
      const p = pool(dataSource);
      this.set(p ? p.idleCount + (p.options.max - p.totalCount) : 0);
    },
  }),
  makeGaugeProvider({
    name: 'db_pool_waiting',
    help: 'Requests waiting for a PostgreSQL connection',
    inject: [getDataSourceToken()],
    collect(dataSource: DataSource) {
      this.set(pool(dataSource)?.waitingCount ?? 0);
    },
  }),
];
