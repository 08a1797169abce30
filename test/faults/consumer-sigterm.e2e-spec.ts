import { Producer } from 'kafkajs';
import { serializeRouteEvent } from '../../src/contracts/route-event';
import { routeEvent } from '../audit/audit-fixtures';
import { AppProcess } from '../helpers/app-process';
import { groupPrefix } from '../helpers/consumer-app';
import { within } from '../helpers/deadline';
import { eventually } from '../helpers/eventually';
import { HttpResult } from '../helpers/http';
import { rawProducer, testKafka } from '../helpers/kafka';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

const DRAIN_TIMEOUT_S = 15;

// The built consumer process (node dist/src/consumer.js, audit_log group) gets a real SIGTERM while
// it works through a backlog that keeps growing; a second process of the same group finishes it.
// Every event must end up audited exactly once.
describe('SIGTERM to the consumer while it works through a backlog (e2e)', () => {
  const topic = `faults-drain-${Date.now().toString(36)}`;
  const tenant = uniqueTenant('consumer-drain');
  const env = {
    KAFKA_ROUTE_EVENTS_TOPIC: topic,
    KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('faults-drain'),
    CONSUMER_GROUPS: 'audit_log',
    DRAIN_TIMEOUT: String(DRAIN_TIMEOUT_S),
  };
  const published: string[] = [];
  let producer: Producer;
  let api: TestApp;
  const consumers: AppProcess[] = [];

  beforeAll(async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [topic, `${topic}.dlq`].map((name) => ({ topic: name, numPartitions: 6 })) });
    } finally {
      await admin.disconnect();
    }
    producer = await rawProducer();
    api = await startApi();
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.kill();
    await producer?.disconnect();
    await api?.close();
  });

  async function publish(count: number): Promise<void> {
    const events = Array.from({ length: count }, (_, i) =>
      routeEvent(routeOf(tenant, `v${(published.length + i) % 50}`), { revision: published.length + i + 1 }),
    );
    await producer.send({
      topic,
      messages: events.map((e) => ({ key: `${tenant}:payments:prod:${e.version}`, value: serializeRouteEvent({ ...e }) })),
    });
    published.push(...events.map((e) => e.event_id));
  }

  async function auditedIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: HttpResult = await api.http.get(`/api/v1/audit/recent?tenant=${tenant}&days=1&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      ids.push(...res.body.events.map((e: { event_id: string }) => e.event_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    return ids;
  }

  const startConsumer = async () => {
    const consumer = await AppProcess.start('consumer', env);
    consumers.push(consumer);
    return consumer;
  };
  const processed = (consumer: AppProcess) => scrape(consumer.http, 'consumer_events_processed_total', { group: 'audit_log' });

  it('should exit 0 within DRAIN_TIMEOUT, and a restarted consumer of the group should audit every event exactly once', async () => {
    for (let i = 0; i < 4; i++) await publish(500);
    const first = await startConsumer();
    await eventually(async () => expect(await processed(first)).toBeGreaterThan(0), 90_000, 50);

    // More events keep arriving while it drains.
    const arriving = (async () => {
      for (let i = 0; i < 20 && first.running; i++) await publish(25);
    })();
    first.signal('SIGTERM');
    expect(await within(DRAIN_TIMEOUT_S * 1000, first.exited, 'exit')).toEqual({ code: 0, signal: null });
    await arriving;
    await publish(100);

    const second = await startConsumer();
    await eventually(
      async () => {
        const ids = await auditedIds();
        expect(ids).toHaveLength(published.length);
        expect(new Set(ids)).toEqual(new Set(published));
      },
      120_000,
      500,
    );
    const redelivered = await scrape(second.http, 'consumer_events_duplicate_total', { group: 'audit_log' });
    expect(await scrape(second.http, 'consumer_events_dead_lettered_total', { group: 'audit_log' })).toBe(0);
    second.signal('SIGTERM');
    expect(await within(DRAIN_TIMEOUT_S * 1000, second.exited, 'exit')).toEqual({ code: 0, signal: null });
    // The first process committed everything it audited before it exited, so nothing it had already
    // stored came back to the second one (the event_id index would hide a second copy, not a redelivery).
    expect(redelivered).toBe(0);
  });
});
