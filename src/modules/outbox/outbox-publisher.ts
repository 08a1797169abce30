import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { kafkaConfig } from '../../config/kafka.config';
import { serializeRouteEvent } from '../../contracts/route-event';
import { KAFKA_CLIENT } from '../../infra/kafka/kafka.constants';
import { KafkaTopics } from '../../infra/kafka/kafka-topics';
import { OutboxRow } from './outbox.repository';
import { DependencyBreakers } from '../resilience';

// Kafka side of the relay: an idempotent producer (acks=all, one request in flight, so a retried
// request can neither duplicate nor reorder within a partition) on the route-events topic.
@Injectable()
export class OutboxPublisher implements OnApplicationShutdown {
  private producer?: Producer;
  private topicsReady = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
    private readonly topics: KafkaTopics,
    private readonly breakers: DependencyBreakers,
  ) {}

  // Creates the topics (once) as soon as Kafka is reachable, so consumers can subscribe before the
  // first event exists.
  // Through the Kafka breaker too, so a broker that is down opens it even before any batch is sent.
  ensureTopics(): Promise<void> {
    if (this.topicsReady) return Promise.resolve();
    return this.breakers.kafka.execute(() => this.createTopics());
  }

  private async createTopics(): Promise<void> {
    if (this.topicsReady) return;
    await this.topics.ensureRouteTopics();
    this.topicsReady = true;
  }

  // Through the Kafka breaker: while it is open the relay's attempts fail at once (and back off)
  // instead of each waiting out KafkaJS's connection retries.
  publish(rows: OutboxRow[]): Promise<void> {
    this.breakers.budgets.kafka.recordCall();
    return this.breakers.kafka.execute(() => this.send(rows));
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    await this.createTopics();
    const producer = await this.connectedProducer();
    await producer.send({
      topic: this.config.routeEventsTopic,
      acks: -1,
      timeout: this.config.requestTimeoutMs,
      messages: rows.map((row) => ({
        key: row.message_key,
        value: serializeRouteEvent(row.payload),
        headers: row.headers,
      })),
    });
  }

  // After a failure the producer is rebuilt and the topics checked again, so neither a broker restart
  // nor a replaced broker (empty log dirs) leaves the relay wedged.
  async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.topicsReady = false;
    await producer?.disconnect().catch(() => undefined);
  }

  isConnected(): boolean {
    return this.producer !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-compatible murmur2 on the key, as the seed's kafka-python producer: same key, same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
        // Bounded so a dead broker fails the batch (the relay retries it) instead of hanging forever.
        retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 },
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }
}
