import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { webhooksConfig } from '../../config/webhooks.config';
import { METRIC } from '../../common/metrics/metric-names';
import { AuthModule } from '../auth';
import { RouteStoreModule } from '../route-store';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookQueue } from './webhook-queue';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhooksService } from './webhooks.service';

// The subscriptions and deliveries in PostgreSQL, for whichever module needs them.
@Module({
  imports: [RouteStoreModule],
  providers: [WebhooksRepository, WebhookDeliveriesRepository],
  exports: [WebhooksRepository, WebhookDeliveriesRepository],
})
export class WebhookStoreModule {}

// The API's part: the webhook management endpoints.
@Module({
  imports: [WebhookStoreModule, AuthModule, ConfigModule.forFeature(webhooksConfig)],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}

// The consumer process's part, imported when it runs the `webhooks` group: the store the group's
// handler queues deliveries in, and the dispatcher that sends them.
@Module({
  imports: [WebhookStoreModule, ConfigModule.forFeature(webhooksConfig)],
  providers: [
    WebhookQueue,
    WebhookDispatcher,
    makeCounterProvider({
      name: METRIC.webhookDeliveries,
      help: 'Webhook delivery attempts by outcome: delivered, retried (failed, tried again later), failed (no attempts left)',
      labelNames: ['outcome'],
    }),
    makeHistogramProvider({
      name: METRIC.webhookDeliveryDuration,
      help: 'Seconds per webhook delivery attempt, until the answer or the failure',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    makeCounterProvider({ name: METRIC.webhookEnqueued, help: 'Webhook deliveries queued from route events (one per matching webhook)' }),
    makeCounterProvider({
      name: METRIC.webhookDisabled,
      help: 'Webhooks disabled by the dispatcher because their deliveries kept failing for WEBHOOK_DISABLE_AFTER_MS',
    }),
  ],
  exports: [WebhookQueue],
})
export class WebhookDeliveryModule {}
