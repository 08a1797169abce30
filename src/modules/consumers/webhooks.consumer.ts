import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ROUTE_EVENTS_PATTERN, RouteEventBatch } from '../../infra/kafka/route-events-server';
import { WebhookQueue } from '../webhooks';
import { ApplyOutcome, EventDelivery } from './event-delivery';

// This group's Nest transport id (see consumer-groups.ts): the handler runs only on that transport.
export const WEBHOOKS_TRANSPORT = Symbol('kafka:webhooks');

// Queues each event for the tenant's matching webhooks (PostgreSQL, one statement per chunk); the
// offsets are committed once the deliveries are stored, and WebhookDispatcher sends them. An event
// with no matching webhook is simply done.
@Controller()
export class WebhooksConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly queue: WebhookQueue,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, WEBHOOKS_TRANSPORT)
  handle(@Payload() batch: RouteEventBatch, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('webhooks', batch, ctx, async (events) => {
      await this.queue.enqueue(events);
      return events.map((): ApplyOutcome => 'applied');
    });
  }
}
