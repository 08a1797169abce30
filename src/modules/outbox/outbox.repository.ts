import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';

export interface OutboxRow {
  id: string;
  message_key: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

// Any constant works; it only has to be the same for every API instance sharing the database.
const RELAY_LOCK_KEY = 'traffic-manager.outbox-relay';

@Injectable()
export class OutboxRepository {
  private leaderConnection?: QueryRunner;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // Session-level advisory lock on a dedicated connection: exactly one relay across API instances
  // publishes, which keeps per-route order. The lock goes away with the connection if we die.
  async tryAcquireLeadership(): Promise<boolean> {
    if (this.leaderConnection) return true;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [row] = await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RELAY_LOCK_KEY]);
      if (row.locked) {
        this.leaderConnection = runner;
        return true;
      }
    } catch {
      // PostgreSQL unreachable: not the leader this round.
    }
    await runner.release().catch(() => undefined);
    return false;
  }

  async releaseLeadership(): Promise<void> {
    const runner = this.leaderConnection;
    this.leaderConnection = undefined;
    if (!runner) return;
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [RELAY_LOCK_KEY]).catch(() => undefined);
    await runner.release().catch(() => undefined);
  }

  // Claims the oldest unpublished rows (locked until the transaction ends), hands them to `publish`,
  // and marks them published in the same transaction. If publish throws, nothing is marked. Runs on
  // the leader's own connection, so the relay never holds a pool connection that requests are
  // waiting for while Kafka acknowledges a batch.
  async publishBatch(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
    const runner = this.leaderConnection;
    if (!runner) throw new Error('publishBatch called without the relay leadership');
    await runner.startTransaction();
    try {
      const rows: OutboxRow[] = await runner.query(
        `SELECT id, message_key, payload, headers FROM outbox_events
         WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length > 0) {
        await publish(rows);
        await runner.query('UPDATE outbox_events SET published_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [
          rows.map((r) => r.id),
        ]);
      }
      await runner.commitTransaction();
      return rows.length;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  }

  async recordFailure(limit: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_events SET attempts = attempts + 1, last_error = $2
       WHERE id IN (SELECT id FROM outbox_events WHERE published_at IS NULL ORDER BY id LIMIT $1)`,
      [limit, error.slice(0, 2000)],
    );
  }

  async deletePublishedBefore(hours: number, batch = 5000): Promise<number> {
    const result = await this.dataSource.query(
      `DELETE FROM outbox_events WHERE id IN (
         SELECT id FROM outbox_events WHERE published_at < now() - make_interval(hours => $1) LIMIT $2)`,
      [hours, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS count, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age
       FROM outbox_events WHERE published_at IS NULL`,
    );
    return { count: row.count, oldestAgeSeconds: row.age };
  }
}
