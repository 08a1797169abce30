import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ROUTE_EVENTS_PATTERN, RouteEventBatch } from '../../infra/kafka/route-events-server';
import { AuditRecorder } from '../audit/audit-recorder';
import { GROUP_TRANSPORTS } from './consumer-groups';
import { EventDelivery } from './event-delivery';

// Writes each event once to the MongoDB audit trail, a batch per round trip; a redelivered event_id
// is a quiet no-op.
@Controller()
export class AuditLogConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly recorder: AuditRecorder,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, GROUP_TRANSPORTS.audit_log)
  handle(@Payload() batch: RouteEventBatch, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('audit_log', batch, ctx, async (events) =>
      (await this.recorder.recordMany(events)).map((outcome) =>
        outcome === 'inserted' ? 'applied' : outcome === 'duplicate' ? 'duplicate' : outcome,
      ),
    );
  }
}
