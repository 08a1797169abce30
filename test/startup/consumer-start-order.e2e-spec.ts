import { Kafka, logLevel } from 'kafkajs';
import { groupPrefix, startConsumer, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivateKafka } from '../helpers/private-kafka';
import { startApi, TestApp } from '../helpers/test-app';

const GROUPS = ['cache_invalidation', 'cache_warming', 'audit_log'];

// The consumer process must come up in any order with its dependencies: before the broker exists,
// before its topic exists. It stays up, reports 503 on /health/ready while it waits, and consumes
// once the dependency appears.
describe('Consumer start order (e2e)', () => {
  let consumer: TestConsumer | undefined;
  let api: TestApp | undefined;

  afterEach(async () => {
    await consumer?.close();
    await api?.close();
    consumer = api = undefined;
  });

  const groupStates = async (c: TestConsumer) => {
    const ready = await c.http.get('/health/ready');
    return { status: ready.status, states: GROUPS.map((g) => ready.body.details?.[`consumer:${g}`]?.state) };
  };

  const expectEveryGroupConsumes = async (c: TestConsumer, a: TestApp) => {
    const route = routeOf(uniqueTenant('order'));
    expect((await a.http.post('/api/v1/routes', { ...route, url: 'https://after-wait.example.com' })).status).toBe(201);
    await eventually(async () => {
      for (const group of GROUPS) expect(await scrape(c.http, 'consumer_events_processed_total', { group })).toBeGreaterThanOrEqual(1);
    }, 60_000);
    await eventually(async () => {
      const audit = await a.http.get(`/api/v1/audit/route?${new URLSearchParams(route).toString()}`);
      expect(audit.body.events).toEqual([expect.objectContaining({ action: 'created', url: 'https://after-wait.example.com' })]);
    });
  };

  describe('started before Kafka is up (an empty broker, started later)', () => {
    const kafka = new PrivateKafka('start-order', 19192);

    beforeAll(() => kafka.wipe(), 120_000);
    afterAll(() => kafka.wipe(), 120_000);

    it('should stay up, answer 503 while waiting, then consume once the broker appears', async () => {
      const env = {
        KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
        KAFKA_ROUTE_EVENTS_TOPIC: 'route-events',
        KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('before-kafka'),
      };
      consumer = await startConsumer(env);

      expect((await consumer.http.get('/health/live')).status).toBe(200);
      const waiting = await groupStates(consumer);
      expect(waiting.status).toBe(503);
      expect(waiting.states.every((s) => s === 'connecting' || s === 'waiting')).toBe(true);
      expect((await consumer.http.get('/health/ready')).body).toMatchObject({ details: { kafka: { status: 'down' } } });

      await kafka.start();
      await eventually(async () => expect(await groupStates(consumer!)).toEqual({ status: 200, states: GROUPS.map(() => 'running') }), 60_000);

      api = await startApi({ KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap, KAFKA_ROUTE_EVENTS_TOPIC: 'route-events' });
      await expectEveryGroupConsumes(consumer, api);
    });
  });

  describe('started before its topic exists', () => {
    it('should create the topic and its dead-letter topic with the configured partitions, then consume', async () => {
      const topic = `start-order-${Date.now().toString(36)}`;
      const env = { KAFKA_ROUTE_EVENTS_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '3', KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('before-topic') };
      consumer = await startConsumer(env);

      await eventually(async () => expect(await groupStates(consumer!)).toEqual({ status: 200, states: GROUPS.map(() => 'running') }), 60_000);
      const admin = new Kafka({ clientId: 'e2e-start-order', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
        expect(topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
          [topic, 3],
          [`${topic}.dlq`, 3],
        ]);
      } finally {
        await admin.disconnect();
      }

      api = await startApi({ KAFKA_ROUTE_EVENTS_TOPIC: topic });
      await expectEveryGroupConsumes(consumer, api);
    });
  });
});
