import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { RouteChangedEvent } from '../../contracts/route-event';
import { ROUTE_EVENTS_PATTERN, RouteEventBatch } from '../../infra/kafka/route-events-server';
import { RouteCache } from '../route-store';
import { ApplyOutcome, EventDelivery } from './event-delivery';

// This group's Nest transport id (see consumer-groups.ts): the handler runs only on that transport.
export const CACHE_INVALIDATION_TRANSPORT = Symbol('kafka:cache_invalidation');

// Brings each route's Redis entry to the state its event describes. Events carry the full new state
// and its revision, so this is a revision-guarded write, never a delete that a slow reader could undo.
// A batch is one Redis pipeline in event order; older revisions of a route in the same batch are
// written too (and announced), which the guard makes harmless. Each store also raises the group's
// applied mark for its route (the propagation status: a route is live once this group applied it).
@Controller()
export class CacheInvalidationConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly cache: RouteCache,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, CACHE_INVALIDATION_TRANSPORT)
  handle(@Payload() batch: RouteEventBatch, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('cache_invalidation', batch, ctx, (events) => this.apply(events));
  }

  private async apply(events: RouteChangedEvent[]): Promise<ApplyOutcome[]> {
    const applied = await this.cache.storeManyOrThrow(
      events.map((event) => ({
        key: event,
        // A seed-era event without a revision: fall back to the seed's delete.
        snapshot: event.revision === 0 ? null : { url: event.url, active: event.action !== 'deactivated', revision: event.revision },
        markRevision: event.revision,
      })),
      'cache_invalidation',
    );
    return applied.map((ok) => (ok ? 'applied' : 'duplicate'));
  }
}
