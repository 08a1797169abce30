import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';

// test/setup/test-env.ts gives the e2e run a topic of its own.
export const ROUTE_EVENTS_TOPIC = process.env.KAFKA_ROUTE_EVENTS_TOPIC ?? 'route-events';
export const DLQ_TOPIC = `${ROUTE_EVENTS_TOPIC}.dlq`;

export interface CapturedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  json?: any;
}

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'e2e-probe', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
}

// A plain kafkajs consumer (its own group, from the beginning) recording everything on the topics.
export class KafkaProbe {
  readonly messages: CapturedMessage[] = [];
  private consumer?: Consumer;

  static async start(topics: string[]): Promise<KafkaProbe> {
    const probe = new KafkaProbe();
    const consumer = testKafka().consumer({ groupId: `e2e-probe-${Date.now()}-${Math.random().toString(36).slice(2)}` });
    probe.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const value = message.value ? message.value.toString() : null;
        let json: unknown;
        try {
          json = value === null ? undefined : JSON.parse(value);
        } catch {
          json = undefined;
        }
        probe.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          value,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
          json,
        });
      },
    });
    return probe;
  }

  forTenant(tenant: string, topic = ROUTE_EVENTS_TOPIC): CapturedMessage[] {
    return this.messages.filter((m) => m.topic === topic && m.json?.tenant === tenant);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export async function rawProducer(): Promise<Producer> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

export async function ensureTopics(topic = ROUTE_EVENTS_TOPIC): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    const missing = [topic, `${topic}.dlq`].filter((t) => !existing.includes(t));
    if (missing.length) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 6 })) });
  } finally {
    await admin.disconnect();
  }
}

// Commits, for each consumer group of `prefix`, the topic's current end offsets: a consumer started
// afterwards begins with what is written from now on instead of reading the shared e2e topic, which
// grows with every run on a developer's machine, from the beginning.
export async function startGroupsAtEnd(prefix: string, groups: readonly string[], topic = ROUTE_EVENTS_TOPIC): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const group of groups) {
      await admin.setOffsets({ groupId: `${prefix}-${group}`, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
    }
  } finally {
    await admin.disconnect();
  }
}
