import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { ALL_TENANTS } from '../../contracts/principal';
import { RouteChangedEvent } from '../../contracts/route-event';
import { routeKeyString } from '../../contracts/route-key';
import { ROUTE_EVENTS_PATTERN, RouteEventBatch } from '../../infra/kafka/route-events-server';
import { RouteCache } from '../route-store';
import { RouteSnapshot } from '../route-store';
import { RoutesRepository } from '../route-store';
import { ApplyOutcome, EventDelivery } from './event-delivery';

const MISSING: RouteSnapshot = { url: null, active: false, revision: 0 };

// This group's Nest transport id (see consumer-groups.ts): the handler runs only on that transport.
export const CACHE_WARMING_TRANSPORT = Symbol('kafka:cache_warming');

// Loads the current state of the batch's routes from PostgreSQL (one query) into Redis (one
// pipeline). Unlike the seed, an existing (possibly stale or negative) entry does not stop it: the
// revision guard decides, so the newest state wins. Every event of a route in the batch shares that
// route's one store, and its outcome. Each store also raises the group's applied mark for its route.
@Controller()
export class CacheWarmingConsumer {
  constructor(
    private readonly delivery: EventDelivery,
    private readonly repository: RoutesRepository,
    private readonly cache: RouteCache,
  ) {}

  @EventPattern(ROUTE_EVENTS_PATTERN, CACHE_WARMING_TRANSPORT)
  handle(@Payload() batch: RouteEventBatch, @Ctx() ctx: KafkaContext): Promise<void> {
    return this.delivery.deliver('cache_warming', batch, ctx, (events) => this.apply(events));
  }

  private async apply(events: RouteChangedEvent[]): Promise<ApplyOutcome[]> {
    const routes = [...new Map(events.map((event) => [routeKeyString(event), event])).entries()];
    // Events come from our own outbox, not from a caller: every tenant.
    const keys = routes.map(([, key]) => key);
    const snapshots = await this.repository.findSnapshots(ALL_TENANTS, keys);
    // The state stored is the route's latest: at least the revision of each of its events in the batch.
    const newest = new Map<string, number>();
    for (const event of events) newest.set(routeKeyString(event), Math.max(newest.get(routeKeyString(event)) ?? 0, event.revision));
    const applied = await this.cache.storeManyOrThrow(
      routes.map(([id, key]) => {
        const snapshot = snapshots.get(id) ?? MISSING;
        return { key, snapshot, markRevision: Math.max(snapshot.revision, newest.get(id) ?? 0) };
      }),
      'cache_warming',
    );
    const outcomes = new Map(routes.map(([id], i) => [id, applied[i] ? 'applied' : 'duplicate'] as const));
    return events.map((event) => outcomes.get(routeKeyString(event))!);
  }
}
