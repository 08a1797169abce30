import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RouteKey } from '../../contracts/route-key';
import { RouteListFilter, RouteRecord, RouteSnapshot } from './route-record';
import { BY_KEY, EndpointRow, keyParams, ROUTE_COLUMNS, ROUTE_JOINS, toRecord } from './route-sql';
import { RouteTransaction } from './route-transaction';

@Injectable()
export class RoutesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: RouteTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', (em) => work(new RouteTransaction(em)));
  }

  // The read path's only query: one indexed join, inactive rows included so the revision is known.
  async findSnapshot(key: RouteKey): Promise<RouteSnapshot | null> {
    const rows: Array<{ url: string; is_active: boolean; revision: number }> = await this.dataSource.query(
      `SELECT e.url, e.is_active, e.revision ${ROUTE_JOINS} WHERE ${BY_KEY}`,
      keyParams(key),
    );
    if (!rows.length) return null;
    return { url: rows[0].url, active: rows[0].is_active, revision: rows[0].revision };
  }

  async findOne(key: RouteKey): Promise<RouteRecord | null> {
    const rows: EndpointRow[] = await this.dataSource.query(
      `SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS} WHERE ${BY_KEY}`,
      keyParams(key),
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async list(filter: RouteListFilter): Promise<RouteRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.tenant !== undefined) add('t.name = ?', filter.tenant);
    if (filter.service !== undefined) add('s.name = ?', filter.service);
    if (filter.env !== undefined) add('env.name = ?', filter.env);
    if (filter.active !== undefined) add('e.is_active = ?', filter.active);
    if (filter.afterId !== undefined) add('e.id > ?', filter.afterId);
    params.push(filter.limit);
    const rows: EndpointRow[] = await this.dataSource.query(
      `SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY e.id LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => toRecord(row));
  }
}
