import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { RouteChangedEvent } from '../../contracts/route-event';
import { ROUTE_EVENTS_PATTERN } from '../../infra/kafka/route-events-server';
import { RouteCache } from '../route-store/route-cache';
import { GROUP_TRANSPORTS } from './consumer-groups';
import { ApplyOutcome, EventDelivery } from './event-delivery';

// Brings the route's Redis entry to the state the event describes. Events carry the full new state
// and its revision, so this is a revision-guarded write, never a delete that a slow reader could undo.
@Controller()
export class CacheInvalidationConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly cache: RouteCache,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, GROUP_TRANSPORTS.cache_invalidation)
  handle(@Payload() message: any, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('cache_invalidation', message, ctx, (event) => this.apply(event));
  }

  private async apply(event: RouteChangedEvent): Promise<ApplyOutcome> {
    if (event.revision === 0) {
      // A seed-era event without a revision: fall back to the seed's delete.
      await this.cache.removeOrThrow(event);
      return 'applied';
    }
    const applied = await this.cache.storeOrThrow(event, {
      url: event.url,
      active: event.action !== 'deactivated',
      revision: event.revision,
    });
    return applied ? 'applied' : 'duplicate';
  }
}
