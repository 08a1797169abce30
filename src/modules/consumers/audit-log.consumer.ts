import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ALL_TENANTS } from '../../contracts/principal';
import { ROUTE_EVENTS_PATTERN, RouteEventBatch } from '../../infra/kafka/route-events-server';
import { AuditRecorder } from '../audit';
import { EventDelivery } from './event-delivery';

// This group's Nest transport id (see consumer-groups.ts): the handler runs only on that transport.
export const AUDIT_LOG_TRANSPORT = Symbol('kafka:audit_log');

// Writes each event once to the MongoDB audit trail, a batch per round trip; a redelivered event_id
// is a quiet no-op.
@Controller()
export class AuditLogConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly recorder: AuditRecorder,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, AUDIT_LOG_TRANSPORT)
  handle(@Payload() batch: RouteEventBatch, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('audit_log', batch, ctx, async (events) =>
      // Events come from our own outbox, not from a caller: every tenant.
      (await this.recorder.recordMany(ALL_TENANTS, events)).map((outcome) =>
        outcome === 'inserted' ? 'applied' : outcome === 'duplicate' ? 'duplicate' : outcome,
      ),
    );
  }
}
