import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { KafkaContext } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { Counter } from 'prom-client';
import { kafkaConfig } from '../../config/kafka.config';
import { DomainError } from '../../common/errors/domain.error';
import { METRIC } from '../../common/metrics/metric-names';
import { RouteChangedEvent } from '../../contracts/route-event';
import { parseRouteEvent } from '../../contracts/route-event-parser';
import { ConsumerGroupType } from './consumer-groups';

export type ApplyOutcome = 'applied' | 'duplicate';

interface ConsumedMessage {
  key: unknown;
  value: unknown;
  headers?: Record<string, unknown>;
  offset: string;
}

// At-least-once delivery for every group: the offset is committed only after the handler succeeded
// (or the message was parked in the dead-letter topic). A failing store is retried with backoff,
// without skipping the message, until it works or the process shuts down (then it is redelivered).
@Injectable()
export class EventDelivery implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventDelivery.name);
  private readonly shutdown = new AbortController();
  // A DomainError means the event itself can never be applied: retrying would block the partition.
  private readonly retryPolicy = retry(
    handleWhen((err) => !(err instanceof DomainError)),
    {
      maxAttempts: Number.MAX_SAFE_INTEGER,
      backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 5000 }),
    },
  );

  constructor(
    private readonly cls: ClsService,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
    @InjectMetric(METRIC.consumerProcessed) private readonly processed: Counter<string>,
    @InjectMetric(METRIC.consumerFailed) private readonly failures: Counter<string>,
    @InjectMetric(METRIC.consumerDeadLettered) private readonly deadLettered: Counter<string>,
    @InjectMetric(METRIC.consumerDuplicates) private readonly duplicates: Counter<string>,
  ) {}

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
  }

  async deliver(
    group: ConsumerGroupType,
    message: ConsumedMessage,
    ctx: KafkaContext,
    apply: (event: RouteChangedEvent) => Promise<ApplyOutcome>,
  ): Promise<void> {
    const parsed = parseRouteEvent(message.value);
    let rejection = parsed.ok ? undefined : parsed.reason;
    if (parsed.ok) {
      const event = parsed.event;
      const outcome = await this.cls.run(async () => {
        this.cls.set(CLS_ID, event.correlation_id ?? event.event_id);
        return this.persist(group, ctx, () => apply(event)).catch((err: unknown) => {
          if (err instanceof DomainError) return err;
          throw err;
        });
      });
      if (outcome instanceof DomainError) rejection = `${outcome.code}: ${outcome.message}`;
      else (outcome === 'duplicate' ? this.duplicates : this.processed).inc({ group });
    }
    if (rejection !== undefined) {
      const reason = rejection;
      await this.persist(group, ctx, () => this.deadLetter(group, message, ctx, reason));
      this.deadLettered.inc({ group });
      this.logger.warn(`${group}: message at ${ctx.getTopic()}/${ctx.getPartition()}@${message.offset} dead-lettered: ${reason}`);
    }
    await this.commit(ctx, message.offset);
  }

  private async persist<T>(group: ConsumerGroupType, ctx: KafkaContext, work: () => Promise<T>): Promise<T> {
    let lastLogged = 0;
    return this.retryPolicy.execute(async ({ attempt }) => {
      await ctx.getHeartbeat()().catch(() => undefined);
      try {
        return await work();
      } catch (err) {
        this.failures.inc({ group });
        if (Date.now() - lastLogged > 10_000) {
          lastLogged = Date.now();
          this.logger.warn(`${group}: handler failed (attempt ${attempt + 1}), retrying: ${(err as Error).message}`);
        }
        throw err;
      }
    }, this.shutdown.signal);
  }

  private async deadLetter(group: ConsumerGroupType, message: ConsumedMessage, ctx: KafkaContext, reason: string): Promise<void> {
    const value = typeof message.value === 'string' || message.value === null ? message.value : JSON.stringify(message.value);
    await ctx.getProducer().send({
      topic: this.config.deadLetterTopic,
      acks: -1,
      messages: [
        {
          key: message.key === null || message.key === undefined ? null : String(message.key),
          value: value as string | null,
          headers: {
            ...stringHeaders(message.headers),
            'x-dlq-reason': reason,
            'x-dlq-group': group,
            'x-original-topic': ctx.getTopic(),
            'x-original-partition': String(ctx.getPartition()),
            'x-original-offset': message.offset,
            'x-dead-lettered-at': new Date().toISOString(),
          },
        },
      ],
    });
  }

  private async commit(ctx: KafkaContext, offset: string): Promise<void> {
    const next = (BigInt(offset) + 1n).toString();
    await ctx.getConsumer().commitOffsets([{ topic: ctx.getTopic(), partition: ctx.getPartition(), offset: next }]);
  }
}

function stringHeaders(headers: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));
}
