import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge } from 'prom-client';
import { outboxConfig } from '../../config/outbox.config';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { METRIC } from '../../common/metrics/metric-names';
import { OutboxPublisher } from './outbox-publisher';
import { DependencyBreakers } from '../resilience';
import { OutboxRepository, OutboxRow } from './outbox.repository';

const MAX_BACKOFF_MS = 10_000;
const CLEANUP_EVERY_MS = 60_000;
const BACKLOG_EVERY_MS = 5_000;
// How often a standby instance asks for the leader lock (handover delay after a leader dies).
const STANDBY_POLL_MS = 2_000;

// Moves committed outbox rows to Kafka: leader-only, oldest first, marked published only after
// Kafka acknowledged them. Kafka being down never fails a write; the backlog just waits here.
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastCleanup = 0;
  private lastBacklog = 0;
  private readonly failures = new ThrottledLog(this.logger);

  constructor(
    private readonly repository: OutboxRepository,
    private readonly publisher: OutboxPublisher,
    private readonly breakers: DependencyBreakers,
    @Inject(outboxConfig.KEY) private readonly config: ConfigType<typeof outboxConfig>,
    @InjectMetric(METRIC.kafkaEventsPublished) private readonly published: Counter<string>,
    @InjectMetric(METRIC.kafkaEventsFailed) private readonly failed: Counter<string>,
    @InjectMetric(METRIC.outboxBacklog) private readonly backlog: Gauge<string>,
    @InjectMetric(METRIC.outboxOldestAge) private readonly oldestAge: Gauge<string>,
    @InjectMetric(METRIC.kafkaProducerReady) private readonly producerReady: Gauge<string>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.relayEnabled) return;
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.repository.releaseLeadership();
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      let count = 0;
      let leader = false;
      try {
        leader = await this.repository.tryAcquireLeadership();
        if (leader) {
          await this.publisher.ensureTopics();
          count = await this.repository.publishBatch(this.config.batchSize, (rows) => this.send(rows));
          await this.housekeeping();
        }
        backoff = 0;
      } catch (err) {
        // Retries share Kafka's retry budget; past it, wait the longest backoff.
        backoff = this.breakers.budgets.kafka.tryRetry() ? Math.min(Math.max(backoff * 2, 250), MAX_BACKOFF_MS) : MAX_BACKOFF_MS;
        await this.onFailure(err as Error);
      }
      this.producerReady.set(this.publisher.isConnected() ? 1 : 0);
      const idle = leader ? this.config.pollIntervalMs : STANDBY_POLL_MS;
      if (count < this.config.batchSize) await this.sleep(backoff || idle);
    }
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    try {
      await this.publisher.publish(rows);
    } catch (err) {
      this.countByAction(this.failed, rows);
      throw err;
    }
    this.countByAction(this.published, rows);
  }

  // One counter update per action and batch rather than per row.
  private countByAction(counter: Counter<string>, rows: OutboxRow[]): void {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const action = String(row.payload.action);
      counts.set(action, (counts.get(action) ?? 0) + 1);
    }
    for (const [action, count] of counts) counter.inc({ action }, count);
  }

  private async onFailure(err: Error): Promise<void> {
    this.failures.warn('publish', `Outbox relay cannot publish yet, will retry: ${err.message}`);
    await this.publisher.reset();
    await this.repository.releaseLeadership();
    await this.repository.recordFailure(this.config.batchSize, err.message).catch(() => undefined);
    // The backlog matters most while Kafka is down: keep measuring it (PostgreSQL only).
    await this.measureBacklog().catch(() => undefined);
  }

  private async measureBacklog(): Promise<void> {
    const now = Date.now();
    if (now - this.lastBacklog < BACKLOG_EVERY_MS) return;
    this.lastBacklog = now;
    const { count, oldestAgeSeconds } = await this.repository.backlog();
    this.backlog.set(count);
    this.oldestAge.set(oldestAgeSeconds);
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    await this.measureBacklog();
    if (now - this.lastCleanup >= CLEANUP_EVERY_MS) {
      this.lastCleanup = now;
      const deleted = await this.repository.deletePublishedBefore(this.config.retentionHours);
      if (deleted > 0) this.logger.log(`Removed ${deleted} published outbox rows older than ${this.config.retentionHours} h`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
