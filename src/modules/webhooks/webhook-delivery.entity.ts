import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';

// One event to send to one subscription: the work item of the dispatcher and the delivery log the
// API shows (GET /api/v1/webhooks/{id}/deliveries). Created by the `webhooks` consumer group, once
// per (subscription, event) whatever the redeliveries from Kafka; `body` is fixed then, so every
// attempt sends the same bytes. pending → delivered, or failed once WEBHOOK_MAX_ATTEMPTS are spent
// (the dead letters, which POST …/deliveries/{id}/retry sends again). Removed with its subscription.
@Entity({ name: 'webhook_deliveries' })
@Unique('uq_webhook_deliveries_event', ['subscriptionId', 'eventId'])
@Index('idx_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Index('idx_webhook_deliveries_subscription', ['subscriptionId', 'createdAt'])
@Check('chk_webhook_deliveries_status', `"status" IN ('pending', 'delivered', 'failed')`)
export class WebhookDeliveryEntity {
  // The webhook-id header: the same on every attempt, so a receiver can deduplicate.
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_webhook_deliveries' })
  id: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  @ManyToOne(() => WebhookSubscriptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'subscription_id', foreignKeyConstraintName: 'fk_webhook_deliveries_subscription' })
  subscription?: WebhookSubscriptionEntity;

  @Column({ type: 'varchar', length: 128 })
  tenant: string;

  // The route event's event_id (the CloudEvent id), or the ping's own id.
  @Column({ name: 'event_id', type: 'varchar', length: 64 })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 128 })
  eventType: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ name: 'last_duration_ms', type: 'integer', nullable: true })
  lastDurationMs: number | null;
}
