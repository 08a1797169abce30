import { EntityManager } from 'typeorm';
import { EVENT_HEADERS, RouteChangedEvent } from '../../contracts/route-event';
import { RouteKey, routeKeyString } from '../../contracts/route-key';
import { RouteRecord } from './route-record';
import { BY_KEY, EndpointRow, keyParams, ROUTE_COLUMNS, ROUTE_JOINS, rowsOf, toRecord } from './route-sql';

// The write-side unit of work: every method runs inside one PostgreSQL transaction, so a route
// change and its outbox row commit (or roll back) together.
export class RouteTransaction {
  constructor(private readonly em: EntityManager) {}

  async lockByKey(key: RouteKey): Promise<RouteRecord | null> {
    const rows = await this.em.query(
      `SELECT ${ROUTE_COLUMNS} ${ROUTE_JOINS} WHERE ${BY_KEY} FOR UPDATE OF e`,
      keyParams(key),
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async ensureEnvironment(key: RouteKey): Promise<number> {
    const tenantId = await this.getOrCreate('tenants', 'name', [key.tenant], 'name = $1');
    const serviceId = await this.getOrCreate(
      'services',
      'tenant_id, name',
      [tenantId, key.service],
      'tenant_id = $1 AND name = $2',
    );
    return this.getOrCreate('environments', 'service_id, name', [serviceId, key.env], 'service_id = $1 AND name = $2');
  }

  // Returns null when a concurrent transaction committed the same route first.
  async insertIfAbsent(environmentId: number, key: RouteKey, url: string): Promise<RouteRecord | null> {
    const rows = rowsOf<EndpointRow>(
      await this.em.query(
        `INSERT INTO endpoints (environment_id, version, url, is_active, revision)
         VALUES ($1, $2, $3, true, 1)
         ON CONFLICT (environment_id, version) DO NOTHING
         RETURNING *`,
        [environmentId, key.version, url],
      ),
    );
    return rows.length ? toRecord(rows[0], key) : null;
  }

  async update(current: RouteRecord, patch: { url: string; isActive: boolean }): Promise<RouteRecord> {
    const rows = rowsOf<EndpointRow>(
      await this.em.query(
        `UPDATE endpoints SET url = $2, is_active = $3, revision = revision + 1, updated_at = now()
         WHERE id = $1 RETURNING *`,
        [current.id, patch.url, patch.isActive],
      ),
    );
    return toRecord(rows[0], current);
  }

  async appendEvent(event: RouteChangedEvent): Promise<void> {
    await this.em.query(
      `INSERT INTO outbox_events (event_id, event_type, message_key, payload, headers)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        event.event_id,
        event.event_type,
        routeKeyString(event),
        JSON.stringify(event),
        JSON.stringify({
          [EVENT_HEADERS.correlationId]: event.correlation_id ?? '',
          [EVENT_HEADERS.eventType]: event.event_type,
        }),
      ],
    );
  }

  // INSERT .. ON CONFLICT DO NOTHING waits for a concurrent inserter to commit; the follow-up SELECT
  // is a new statement, so under READ COMMITTED it sees that committed row.
  private async getOrCreate(table: string, columns: string, values: unknown[], where: string): Promise<number> {
    const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
    const inserted = await this.em.query(
      `INSERT INTO ${table} (${columns}) VALUES (${placeholders}) ON CONFLICT DO NOTHING RETURNING id`,
      values,
    );
    if (inserted.length) return inserted[0].id;
    const existing = await this.em.query(`SELECT id FROM ${table} WHERE ${where}`, values);
    return existing[0].id;
  }
}
