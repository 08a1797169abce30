import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { RouteChangedEvent } from '../../contracts/route-event';
import { cloudEventBody, CLOUD_EVENT_TYPE_PREFIX } from './cloud-event';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

// What the `webhooks` consumer group does with a chunk of route events: one delivery per event and
// matching webhook, queued in one statement (idempotent: a redelivered event queues nothing new).
// The sending is the dispatcher's, so a slow or failing receiver never holds up the Kafka partition.
@Injectable()
export class WebhookQueue {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    @InjectMetric(METRIC.webhookEnqueued) private readonly enqueued: Counter<string>,
  ) {}

  async enqueue(events: RouteChangedEvent[]): Promise<number> {
    const wanted = await this.webhooks.tenantsWithWebhooks([...new Set(events.map((event) => event.tenant))]);
    if (wanted.size === 0) return 0;
    const added = await this.deliveries.enqueue(
      events
        .filter((event) => wanted.has(event.tenant))
        .map((event) => ({
          event_id: event.event_id,
          tenant: event.tenant,
          service: event.service,
          env: event.env,
          action: event.action,
          event_type: CLOUD_EVENT_TYPE_PREFIX + event.action,
          body: cloudEventBody(event),
        })),
    );
    if (added > 0) this.enqueued.inc(added);
    return added;
  }
}
