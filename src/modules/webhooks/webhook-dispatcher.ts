import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { webhooksConfig } from '../../config/webhooks.config';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { METRIC } from '../../common/metrics/metric-names';
import { sendWebhook } from './webhook-sender';
import { webhookUrlProblem } from './webhook-target';
import { retryDelayMs } from './webhook-retry';
import { ClaimedDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository';

// How long an idle dispatcher waits before looking again (with jitter), how long it backs off while
// PostgreSQL fails, and how often it prunes finished deliveries.
const IDLE_POLL_MS = 250;
const OUTAGE_POLL_MS = 2_000;
const PRUNE_EVERY_MS = 10 * 60_000;

// Sends due webhook deliveries, in the consumer process that runs the `webhooks` group. Each pass
// claims up to WEBHOOK_CONCURRENCY due rows (WebhookDeliveriesRepository.claimDue: SKIP LOCKED, so several
// processes share the work) and sends them in parallel; each outcome is written back before the
// next pass. A claim leases the row for the request timeout plus a margin: a process that dies
// mid-send leaves it to be sent again, at least once, never lost. On shutdown it stops claiming and
// waits for the requests in flight (each bounded by WEBHOOK_TIMEOUT_MS) to be recorded.
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly throttled = new ThrottledLog(this.logger);
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private lastPrune = 0;
  private failing = false;

  constructor(
    private readonly repository: WebhookDeliveriesRepository,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
    @InjectMetric(METRIC.webhookDeliveries) private readonly outcomes: Counter<string>,
    @InjectMetric(METRIC.webhookDeliveryDuration) private readonly duration: Histogram<string>,
    @InjectMetric(METRIC.webhookDisabled) private readonly disabled: Counter<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(IDLE_POLL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  // One pass: claims and sends what is due; returns how many deliveries it handled.
  async runOnce(): Promise<number> {
    const claimed = await this.repository.claimDue(this.config.concurrency, this.config.timeoutMs + 30_000);
    // Every send is awaited, even when recording one fails (PostgreSQL down): the pass ends only when
    // none is still in flight, and the first failure is then reported.
    const settled = await Promise.allSettled(claimed.map((delivery) => this.deliver(delivery)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      const pruned = await this.repository.prune(this.config.retentionHours);
      if (pruned > 0) this.logger.log(`Pruned ${pruned} finished webhook deliveries older than ${this.config.retentionHours} h`);
    }
    return claimed.length;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    // The URL rules as configured now, not as they were at registration (WEBHOOK_ALLOW_HTTP or
    // WEBHOOK_ALLOW_PRIVATE_TARGETS turned off since): a URL they refuse is a failed attempt.
    const problem = webhookUrlProblem(delivery.url, this.config);
    const result = problem
      ? { ok: false, statusCode: null, error: `not sent: the URL ${problem}`, durationMs: 0 }
      : await sendWebhook(
          { id: delivery.id, url: delivery.url, body: delivery.body, secrets: delivery.secrets },
          { timeoutMs: this.config.timeoutMs, allowPrivate: this.config.allowPrivate },
        );
    this.duration.observe(result.durationMs / 1000);
    if (result.ok) {
      await this.repository.recordDelivered(delivery.id, result);
      this.outcomes.inc({ outcome: 'delivered' });
      return;
    }
    const last = delivery.attempts >= this.config.maxAttempts;
    const retryAt = last ? null : new Date(Date.now() + retryDelayMs(delivery.attempts, this.config.retryBaseMs, this.config.retryMaxMs));
    const disabled = await this.repository.recordFailed(delivery.id, result, retryAt, this.config.disableAfterMs);
    this.outcomes.inc({ outcome: last ? 'failed' : 'retried' });
    const line = `Webhook delivery ${delivery.id} (${delivery.eventType} ${delivery.eventId}) to ${new URL(delivery.url).host}, attempt ${delivery.attempts}: ${result.error}`;
    if (last) this.logger.warn(`${line}; no attempts left, recorded as failed`);
    else this.throttled.warn(`attempt:${delivery.subscriptionId}`, `${line}; retrying at ${retryAt!.toISOString()}`);
    if (disabled) {
      this.disabled.inc();
      this.logger.warn(
        `Webhook ${delivery.subscriptionId} disabled: its deliveries have failed for ${this.config.disableAfterMs} ms or more with no success; ` +
          'queued deliveries wait, new events are not queued until an admin enables it again (PATCH {"enabled":true})',
      );
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }

  private run(): Promise<void> {
    this.pass = this.runOnce().then(
      (handled) => {
        if (this.failing) this.logger.log('Webhook deliveries: PostgreSQL answers again');
        this.failing = false;
        // A full pass means more may be due: go on at once.
        this.schedule(handled >= this.config.concurrency ? 0 : IDLE_POLL_MS);
      },
      (err: unknown) => {
        if (!this.failing) this.logger.warn(`Webhook deliveries cannot be read or recorded now, retrying: ${(err as Error).message}`);
        this.failing = true;
        this.schedule(OUTAGE_POLL_MS);
      },
    );
    return this.pass;
  }
}
