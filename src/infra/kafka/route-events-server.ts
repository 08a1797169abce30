import { Logger } from '@nestjs/common';
import { KafkaContext, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { Consumer, EachBatchPayload } from 'kafkajs';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { isFatalKafkaError } from './kafka-errors';

export const ROUTE_EVENTS_PATTERN = 'route-events';

const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

export type TransportState = 'connecting' | 'running' | 'waiting' | 'stopped';

export interface TransportStatus {
  state: TransportState;
  since: string;
  attempts: number;
  last_error?: string;
}

// A consumed message as handlers see it: key and headers decoded, the value parsed when it is JSON.
export interface ConsumedMessage {
  key: unknown;
  value: unknown;
  headers?: Record<string, unknown>;
  offset: string;
}

// The payload of a group's handler: one fetched batch of one partition, in offset order. The handler
// marks each prefix it finished with markDone(offset); when it returns or fails, the server commits
// the highest marked offset + 1 once. Whatever is not marked is fetched again.
export interface RouteEventBatch {
  messages: ConsumedMessage[];
  markDone(offset: string): void;
  // False once the consumer stops or the partition was taken away: stop early, the rest comes again.
  isActive(): boolean;
}

export interface RouteEventsServerOptions {
  kafka: NonNullable<KafkaOptions['options']>;
  topic: string;
  transportId: symbol;
  name: string;
  // Runs before every (re)connection, e.g. to create the topics this consumer reads and writes.
  prepare?: () => Promise<void>;
  // A configuration error (bad credentials, no permission): waiting cannot fix it.
  onFatal: (err: Error) => void;
}

// One Nest Kafka transport per consumer group. Nest subscribes a server to every topic named by a
// handler pattern and matches handlers by pattern; we need (a) three groups on the same topic, each
// with its own handler, and (b) a topic name from configuration. So each server has its own
// transport id (handlers declare it in @EventPattern), subscribes to the configured topic only, and
// every fetched batch goes to the one handler of its transport id (ROUTE_EVENTS_PATTERN) as a
// RouteEventBatch, so stores can write many events per round trip. The handler's KafkaContext
// describes the partition; its getMessage() is the batch's last message.
//
// Nest's ServerKafka connects once and fails `listen()` if the broker or the topic is not there yet,
// which would end the process. This one reports itself started at once and keeps (re)connecting in
// the background with backoff, also after a crash KafkaJS would not restart; readiness follows
// `status()`, which is 'running' only while the consumer is a member of its group.
export class RouteEventsServer extends ServerKafka {
  private readonly log = new Logger(RouteEventsServer.name);
  private readonly throttled = new ThrottledLog(this.log);
  private current: TransportStatus = { state: 'connecting', since: new Date().toISOString(), attempts: 0 };
  private closing = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private crashed = false;

  constructor(private readonly settings: RouteEventsServerOptions) {
    super({
      ...settings.kafka,
      postfixId: '',
      consumer: {
        ...settings.kafka.consumer!,
        // Every crash is handled by reconnect() below (which also re-creates a missing topic), so
        // there is one restart path instead of KafkaJS's retriable-only one.
        retry: { ...settings.kafka.client?.retry, restartOnFailure: async () => false },
      },
    });
    this.setTransportId(settings.transportId);
  }

  transportStatus(): TransportStatus {
    return { ...this.current };
  }

  override async listen(callback: (err?: unknown) => void): Promise<void> {
    this.client = this.createClient();
    callback();
    this.reconnect(0);
  }

  override async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    await this.loop;
    await this.teardown();
    this.setState('stopped');
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: [this.settings.topic], fromBeginning: true });
    await consumer.run({
      ...(this.settings.kafka.run ?? {}),
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(consumer, payload),
    });
  }

  private async handleBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    let done: string | undefined;
    const batch: RouteEventBatch = {
      messages: messages.map((message) => this.parser!.parse<ConsumedMessage>({ ...message, topic, partition })),
      markDone: (offset) => (done = offset),
      isActive: () => payload.isRunning() && !payload.isStale(),
    };
    const ctx = new KafkaContext([messages[messages.length - 1], partition, topic, consumer, payload.heartbeat, this.producer!]);
    try {
      await this.handleEvent(ROUTE_EVENTS_PATTERN, { pattern: ROUTE_EVENTS_PATTERN, data: batch }, ctx);
    } finally {
      if (done !== undefined) {
        payload.resolveOffset(done);
        // Through the batch payload, not consumer.commitOffsets(): KafkaJS drops the latter silently
        // once the consumer is stopping, which would redeliver the finished batch after a shutdown.
        await payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: (BigInt(done) + 1n).toString() }] }] });
      }
    }
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer!;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.current.state !== 'running') this.log.log(`${this.settings.name}: consuming ${this.settings.topic}`);
      this.throttled.clear('wait');
      this.setState('running');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.closing) return;
      this.crashed = true;
      this.onError(payload.error);
      this.reconnect();
    });
  }

  private reconnect(initialBackoff = INITIAL_BACKOFF_MS): void {
    if (this.closing || this.loop) return;
    this.loop = this.connectLoop(initialBackoff).finally(() => (this.loop = undefined));
  }

  private async connectLoop(initialBackoff: number): Promise<void> {
    let backoff = initialBackoff;
    while (!this.closing) {
      if (backoff > 0) await this.sleep(backoff);
      if (this.closing) return;
      try {
        await this.teardown();
        this.current.attempts += 1;
        await this.settings.prepare?.();
        this.crashed = false;
        await this.start(() => undefined);
        // KafkaJS joins the group inside run(); a failure there is reported as a crash, not thrown.
        if (!this.crashed) return;
        backoff = Math.min(Math.max(backoff * 2, INITIAL_BACKOFF_MS), MAX_BACKOFF_MS);
      } catch (err) {
        await this.teardown();
        if (this.closing) return;
        if (isFatalKafkaError(err)) {
          this.setState('stopped', (err as Error).message);
          this.settings.onFatal(err as Error);
          return;
        }
        this.onError(err as Error);
        backoff = Math.min(Math.max(backoff * 2, INITIAL_BACKOFF_MS), MAX_BACKOFF_MS);
      }
    }
  }

  private onError(err: Error): void {
    this.setState('waiting', err.message);
    this.throttled.warn('wait', `${this.settings.name}: Kafka is not ready for ${this.settings.topic} yet, retrying: ${err.message}`);
  }

  private async teardown(): Promise<void> {
    const { consumer, producer } = this;
    this.consumer = null;
    this.producer = null;
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
  }

  private setState(state: TransportState, error?: string): void {
    const changed = state !== this.current.state;
    this.current = {
      state,
      since: changed ? new Date().toISOString() : this.current.since,
      attempts: state === 'running' ? 0 : this.current.attempts,
      ...(error ? { last_error: error } : {}),
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms * (0.8 + Math.random() * 0.4));
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
