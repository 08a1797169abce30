import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { INVALIDATION_CHANNEL, InvalidationBus } from './invalidation-bus';

// Whether this instance hears changes made through the others (Redis pub/sub). Down, it still answers
// correctly (in-process caches are bypassed, so resolve reads Redis on every request and API keys are
// read again sooner), but slower: readiness reports it as degraded, never as failing, and
// cache_invalidation_channel_subscribed says the same to Prometheus. No round trip: the subscriber
// connection's own state is the answer.
@Injectable()
export class InvalidationChannelHealthIndicator {
  constructor(
    private readonly bus: InvalidationBus,
    private readonly health: HealthIndicatorService,
  ) {}

  check(key = 'invalidation_channel'): HealthIndicatorResult {
    const indicator = this.health.check(key);
    const downSince = this.bus.downSince;
    if (downSince === null) return indicator.up({ channel: INVALIDATION_CHANNEL });
    return indicator.down({
      channel: INVALIDATION_CHANNEL,
      down_since: downSince.toISOString(),
      message: `Not subscribed to ${INVALIDATION_CHANNEL}: in-process caches are bypassed (resolve reads Redis) until it is back`,
    });
  }
}
