import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Admin, Kafka } from 'kafkajs';
import { kafkaConfig } from '../../config/kafka.config';
import { KAFKA_CLIENT } from './kafka.constants';

// Topic administration and group lag, on one lazily connected admin client.
@Injectable()
export class KafkaTopics {
  private admin?: Promise<Admin>;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
  ) {}

  // Creates the event topic and its dead-letter topic if missing (several partitions: per-route
  // order only needs the key to map to one partition). Whoever needs them first creates them (the
  // relay and every consumer group); a concurrent creation by another process counts as success.
  // A short-lived admin of its own: the shared one remembers every topic it was asked about (lag,
  // health), and KafkaJS then fails all its metadata requests while one of them does not exist.
  async ensureRouteTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = [this.config.routeEventsTopic, this.config.deadLetterTopic].filter((t) => !existing.has(t));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: this.config.topicPartitions, replicationFactor: -1 })),
      });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async describeCluster(): Promise<number> {
    const admin = await this.connect();
    return (await admin.describeCluster()).brokers.length;
  }

  // Messages not yet committed by the group, per partition (a group with no commit counts from 0).
  async lag(groupId: string, topic: string): Promise<Array<{ partition: number; lag: number }>> {
    const admin = await this.connect();
    const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    return ends.map(({ partition, high }) => {
      const done = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      const from = Number(done) < 0 ? 0 : Number(done);
      return { partition, lag: Math.max(0, Number(high) - from) };
    });
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await (await admin.catch(() => undefined))?.disconnect();
  }

  private connect(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined));
    }
    return this.admin;
  }
}
