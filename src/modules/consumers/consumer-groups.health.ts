import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ConsumerGroupType } from './consumer-groups';
import { ConsumerTransports } from './consumer-transports';

// Ready only while the group's consumer is a member of its group: connected, subscribed, assigned.
// While Kafka or the topic is not there yet the transport keeps retrying and this reports why.
@Injectable()
export class ConsumerGroupsHealthIndicator {
  constructor(
    private readonly transports: ConsumerTransports,
    private readonly health: HealthIndicatorService,
  ) {}

  check(group: ConsumerGroupType) {
    const indicator = this.health.check(`consumer:${group}`);
    const status = this.transports.status(group);
    if (status?.state === 'running') return indicator.up({ state: status.state, since: status.since });
    return indicator.down({ state: status?.state ?? 'not started', ...(status ?? {}) });
  }
}
