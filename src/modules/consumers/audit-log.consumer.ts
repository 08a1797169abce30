import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ROUTE_EVENTS_PATTERN } from '../../infra/kafka/route-events-server';
import { AuditRecorder } from '../audit/audit-recorder';
import { GROUP_TRANSPORTS } from './consumer-groups';
import { EventDelivery } from './event-delivery';

// Writes each event once to the MongoDB audit trail; a redelivered event_id is a quiet no-op.
@Controller()
export class AuditLogConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly recorder: AuditRecorder,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, GROUP_TRANSPORTS.audit_log)
  handle(@Payload() message: any, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('audit_log', message, ctx, async (event) =>
      (await this.recorder.record(event)) === 'inserted' ? 'applied' : 'duplicate',
    );
  }
}
