import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { KafkaContext } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { Counter, Histogram } from 'prom-client';
import { kafkaConfig } from '../../config/kafka.config';
import { DomainError, isPermanentFailure } from '../../common/errors/domain.error';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { METRIC } from '../../common/metrics/metric-names';
import { EVENT_HEADERS, RouteChangedEvent } from '../../contracts/route-event';
import { parseRouteEvent } from '../../contracts/route-event-parser';
import { ConsumedMessage, RouteEventBatch } from '../../infra/kafka/route-events-server';
import type { ConsumerGroupName as ConsumerGroupType } from '../../contracts/consumer-group-names';
import { GROUP_RETRY_BUDGETS } from './consumers.constants';
import { Dependency } from '../resilience';
import { DependencyBreakers } from '../resilience';

export type ApplyOutcome = 'applied' | 'duplicate';

// Per event, in the order given: what happened, or the DomainError that refuses that event for good.
export type BatchOutcome = ApplyOutcome | DomainError;

export type ApplyBatch = (events: RouteChangedEvent[]) => Promise<BatchOutcome[]>;

// Events stored per round trip. Bounds the work redone after a failure and the time between commits.
export const CHUNK_SIZE = 500;

interface Rejected {
  message: ConsumedMessage;
  reason: string;
}

// At-least-once delivery for every group, a batch at a time: each chunk of a batch is applied in one
// call to the group's store, and its offsets are marked done only after it succeeded (poison messages
// parked in the dead-letter topic first); the server then commits what was marked. A failing store is
// retried with backoff, without skipping anything, until it works or the process shuts down (then the
// unmarked rest is redelivered). Stores are idempotent, so a redelivered chunk changes nothing.
const BUDGET_EXHAUSTED_WAIT_MS = 5000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

@Injectable()
export class EventDelivery implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EventDelivery.name);
  private readonly shutdown = new AbortController();
  // A DomainError means an event itself can never be applied: retrying would block the partition.
  private readonly retryPolicy = retry(
    handleWhen((err) => !isPermanentFailure(err)),
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
    @InjectMetric(METRIC.consumerEventDelay) private readonly delay: Histogram<string>,
    private readonly breakers: DependencyBreakers,
    @Inject(GROUP_RETRY_BUDGETS) private readonly retryBudgets: Record<ConsumerGroupType, Dependency>,
  ) {}

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
  }

  async deliver(group: ConsumerGroupType, batch: RouteEventBatch, ctx: KafkaContext, apply: ApplyBatch): Promise<void> {
    for (let start = 0; start < batch.messages.length && batch.isActive(); start += CHUNK_SIZE) {
      const chunk = batch.messages.slice(start, start + CHUNK_SIZE);
      await this.deliverChunk(group, chunk, ctx, apply);
      batch.markDone(chunk[chunk.length - 1].offset);
      await ctx
        .getHeartbeat()()
        .catch(() => undefined);
    }
  }

  private async deliverChunk(group: ConsumerGroupType, messages: ConsumedMessage[], ctx: KafkaContext, apply: ApplyBatch): Promise<void> {
    const parsed = messages.map((message) => parseRouteEvent(message.value));
    const events = parsed.flatMap((p) => (p.ok ? [p.event] : []));
    const outcomes = events.length > 0 ? await this.persist(group, ctx, messages, () => this.applyIsolating(events, apply)) : [];
    const rejected: Rejected[] = [];
    const counts = { applied: 0, duplicate: 0 };
    const appliedAt = Date.now();
    const delay = this.delay.labels({ group });
    let next = 0;
    parsed.forEach((p, i) => {
      const outcome = p.ok ? outcomes[next++] : undefined;
      if (!p.ok) rejected.push({ message: messages[i], reason: p.reason });
      else if (isPermanentFailure(outcome)) rejected.push({ message: messages[i], reason: `${outcome.code}: ${outcome.message}` });
      else {
        counts[outcome!] += 1;
        // Redelivered duplicates were in effect already; a clock behind the API's counts as 0.
        if (outcome === 'applied') delay.observe(Math.max(0, appliedAt - Date.parse(p.event.occurred_at)) / 1000);
      }
    });
    if (counts.applied > 0) this.processed.inc({ group }, counts.applied);
    if (counts.duplicate > 0) this.duplicates.inc({ group }, counts.duplicate);
    if (rejected.length > 0) await this.deadLetter(group, rejected, ctx);
  }

  // A DomainError thrown for a whole batch does not say which event is refused: apply one at a time.
  private async applyIsolating(events: RouteChangedEvent[], apply: ApplyBatch): Promise<BatchOutcome[]> {
    try {
      const outcomes = await apply(events);
      if (outcomes.length !== events.length) throw new Error(`store answered ${outcomes.length} outcomes for ${events.length} events`);
      return outcomes;
    } catch (err) {
      if (!isPermanentFailure(err)) throw err;
      if (events.length === 1) return [err];
      const outcomes: BatchOutcome[] = [];
      for (const event of events) outcomes.push(...(await this.applyIsolating([event], apply)));
      return outcomes;
    }
  }

  private async persist<T>(group: ConsumerGroupType, ctx: KafkaContext, messages: ConsumedMessage[], work: () => Promise<T>): Promise<T> {
    // One per chunk, so the first failure of every chunk is logged at once, then every 10 s.
    const failureLog = new ThrottledLog(this.logger);
    return this.retryPolicy.execute(async ({ attempt }) => {
      await ctx
        .getHeartbeat()()
        .catch(() => undefined);
      const budget = this.breakers.budgets[this.retryBudgets[group]];
      budget.recordCall();
      try {
        return await work();
      } catch (err) {
        this.failures.inc({ group });
        // Every retry spends the dependency's shared budget; past it, wait the longest backoff first.
        if (!budget.tryRetry()) await sleep(BUDGET_EXHAUSTED_WAIT_MS, this.shutdown.signal);
        if (failureLog.due(group)) {
          const where = `${ctx.getTopic()}/${ctx.getPartition()}@${messages[0].offset}-${messages[messages.length - 1].offset}`;
          this.logger.warn(`${group}: handler failed for ${where} (attempt ${attempt + 1}), retrying: ${(err as Error).message}`);
        }
        throw err;
      }
    }, this.shutdown.signal);
  }

  // One dead-letter record per refused message (original key, value and headers plus the reason),
  // sent together; each logged with the message's correlation id.
  private async deadLetter(group: ConsumerGroupType, rejected: Rejected[], ctx: KafkaContext): Promise<void> {
    const at = new Date().toISOString();
    await this.persist(
      group,
      ctx,
      rejected.map((r) => r.message),
      () =>
        ctx.getProducer().send({ topic: this.config.deadLetterTopic, acks: -1, messages: rejected.map((r) => deadLetterRecord(group, r, ctx, at)) }),
    );
    this.deadLettered.inc({ group }, rejected.length);
    for (const { message, reason } of rejected) {
      this.cls.runWith({ [CLS_ID]: correlationId(message) }, () =>
        this.logger.warn(`${group}: message at ${ctx.getTopic()}/${ctx.getPartition()}@${message.offset} dead-lettered: ${reason}`),
      );
    }
  }
}

function deadLetterRecord(group: ConsumerGroupType, { message, reason }: Rejected, ctx: KafkaContext, at: string) {
  const value = typeof message.value === 'string' || message.value === null ? message.value : JSON.stringify(message.value);
  return {
    key: message.key === null || message.key === undefined ? null : String(message.key),
    value: value as string | null,
    headers: {
      ...stringHeaders(message.headers),
      'x-dlq-reason': reason,
      'x-dlq-group': group,
      'x-original-topic': ctx.getTopic(),
      'x-original-partition': String(ctx.getPartition()),
      'x-original-offset': message.offset,
      'x-dead-lettered-at': at,
    },
  };
}

function correlationId(message: ConsumedMessage): string | undefined {
  const fromEvent = (message.value as { correlation_id?: unknown } | null)?.correlation_id;
  if (typeof fromEvent === 'string') return fromEvent;
  const header = message.headers?.[EVENT_HEADERS.correlationId];
  return header === undefined || header === null ? undefined : String(header);
}

function stringHeaders(headers: Record<string, unknown> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));
}
