import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DependencyBreakers } from '../resilience';

// Where one event is in the outbox: not there (never written, or published and removed after
// OUTBOX_RETENTION_HOURS), waiting for the relay, or published to Kafka at `publishedAt`.
export type OutboxPublication = { kept: false } | { kept: true; publishedAt: Date | null };

// The outbox's read side for other modules (the propagation status): one indexed lookup by event id
// (uq_outbox_events_event_id), through the database breaker like every request-path query.
@Injectable()
export class OutboxReader {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly breakers: DependencyBreakers,
  ) {}

  async publication(eventId: string): Promise<OutboxPublication> {
    const rows: Array<{ published_at: Date | null }> = await this.breakers.database.execute(() =>
      this.dataSource.query('SELECT published_at FROM outbox_events WHERE event_id = $1', [eventId]),
    );
    return rows.length ? { kept: true, publishedAt: rows[0].published_at } : { kept: false };
  }
}
