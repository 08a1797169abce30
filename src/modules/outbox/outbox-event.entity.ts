import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'outbox_events' })
@Unique('uq_outbox_events_event_id', ['eventId'])
@Index('idx_outbox_events_unpublished', ['id'], { where: 'published_at IS NULL' })
@Index('idx_outbox_events_published_at', ['publishedAt'])
export class OutboxEventEntity {
  // bigserial: the relay publishes in id order, which per route equals commit order (the route row
  // lock is held from before the insert until commit).
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType: string;

  @Column({ name: 'message_key', type: 'varchar', length: 600 })
  messageKey: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  headers: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
