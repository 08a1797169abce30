import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { RouteChangedEvent } from '../../contracts/route-event';
import { ROUTE_EVENTS_PATTERN } from '../../infra/kafka/route-events-server';
import { RouteCache } from '../route-store/route-cache';
import { RoutesRepository } from '../route-store/routes.repository';
import { GROUP_TRANSPORTS } from './consumer-groups';
import { ApplyOutcome, EventDelivery } from './event-delivery';

// Loads the route's current state from PostgreSQL into Redis. Unlike the seed, an existing (possibly
// stale or negative) entry does not stop it: the revision guard decides, so the newest state wins.
@Controller()
export class CacheWarmingConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly repository: RoutesRepository,
    private readonly cache: RouteCache,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, GROUP_TRANSPORTS.cache_warming)
  handle(@Payload() message: any, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('cache_warming', message, ctx, (event) => this.apply(event));
  }

  private async apply(event: RouteChangedEvent): Promise<ApplyOutcome> {
    const snapshot = (await this.repository.findSnapshot(event)) ?? { url: null, active: false, revision: 0 };
    const applied = await this.cache.storeOrThrow(event, snapshot);
    return applied ? 'applied' : 'duplicate';
  }
}
