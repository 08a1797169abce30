import { randomUUID } from 'crypto';
import Redis from 'ioredis';
import { serializeRouteEvent } from '../../src/contracts/route-event';
import { groupPrefix, startConsumer, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { CapturedMessage, DLQ_TOPIC, ensureTopics, KafkaProbe, rawProducer, ROUTE_EVENTS_TOPIC, testKafka } from '../helpers/kafka';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

const ROUTES = 40;
const GROUPS = ['cache_invalidation', 'cache_warming', 'audit_log'] as const;

// The consumers start only after the whole backlog is on the topic, so they meet it as large
// batches. Each cache group writes to a Redis database of its own (the API to DB 1), so what is
// there was written by that group alone.
describe('Consumers applying a backlog in batches (e2e)', () => {
  const prefix = groupPrefix('batch');
  const tenant = uniqueTenant('batch');
  const poisonRoute = routeOf(uniqueTenant('batch-poison'));
  let api: TestApp;
  let probe: KafkaProbe;
  let consumers: TestConsumer[] = [];
  let invalidationRedis: Redis;
  let warmingRedis: Redis;
  let published: CapturedMessage[];
  let copies: CapturedMessage[];
  let poisonBatch: CapturedMessage[];

  beforeAll(async () => {
    await ensureTopics();
    probe = await KafkaProbe.start([ROUTE_EVENTS_TOPIC, DLQ_TOPIC]);
    api = await startApi({ REDIS_DB: '1' });
    invalidationRedis = new Redis({ host: '127.0.0.1', port: 6379, db: 5 });
    warmingRedis = new Redis({ host: '127.0.0.1', port: 6379, db: 6 });

    await Promise.all(Array.from({ length: ROUTES }, (_, i) => changeFiveTimes(i)));
    published = await eventually(() => {
      const found = probe.forTenant(tenant);
      expect(found).toHaveLength(ROUTES * 5);
      return found;
    }, 60_000);
    copies = await produce(
      published.slice(0, 10).map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      (m) => m.json?.tenant === tenant,
      10,
    );
    poisonBatch = await producePoisonBatch();

    consumers = [
      await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix, CONSUMER_GROUPS: 'cache_invalidation,audit_log', REDIS_DB: '5' }),
      await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix, CONSUMER_GROUPS: 'cache_warming', REDIS_DB: '6' }),
    ];
  }, 180_000);

  afterAll(async () => {
    for (const consumer of consumers) await consumer.close();
    invalidationRedis.disconnect();
    warmingRedis.disconnect();
    await api.close();
    await probe.stop();
  });

  // create, three updates, then a deactivation (even routes) or a last update (odd routes): revision 5.
  async function changeFiveTimes(i: number): Promise<void> {
    const route = routeOf(tenant, `v${i}`);
    for (let n = 1; n <= 4; n++) {
      const res = await api.http.post('/api/v1/routes', { ...route, url: `https://r${i}-${n}.example.com` });
      expect(res.status).toBe(n === 1 ? 201 : 200);
    }
    const last =
      i % 2 === 0
        ? api.http.post('/api/v1/routes/deactivate', route)
        : api.http.post('/api/v1/routes', { ...route, url: `https://r${i}-5.example.com` });
    expect((await last).status).toBe(200);
  }

  const finalEntry = (i: number) => (i % 2 === 0 ? '5|-' : `5|+https://r${i}-5.example.com`);

  async function produce(
    messages: Array<{ key: string | null; value: string | null; headers?: Record<string, string> }>,
    mine: (m: CapturedMessage) => boolean,
    expected: number,
  ): Promise<CapturedMessage[]> {
    const before = new Set(probe.messages.map((m) => `${m.partition}@${m.offset}`));
    const producer = await rawProducer();
    try {
      await producer.send({ topic: ROUTE_EVENTS_TOPIC, messages });
    } finally {
      await producer.disconnect();
    }
    return eventually(() => {
      const found = probe.messages.filter((m) => m.topic === ROUTE_EVENTS_TOPIC && mine(m) && !before.has(`${m.partition}@${m.offset}`));
      expect(found).toHaveLength(expected);
      return found;
    });
  }

  // One send with one key: consecutive offsets of one partition, so one batch for a consumer that
  // starts after it. Revisions 1-4 around a value that is not JSON.
  async function producePoisonBatch(): Promise<CapturedMessage[]> {
    const key = `${poisonRoute.tenant}:payments:prod:v1`;
    const event = (revision: number) => ({
      key,
      value: serializeRouteEvent({
        event_id: randomUUID(),
        event_type: 'route_changed',
        action: revision === 1 ? 'created' : 'updated',
        ...poisonRoute,
        url: `https://p${revision}.example.com`,
        previous_url: null,
        previous_state: null,
        revision,
        changed_by: null,
        correlation_id: `poison-batch-${revision}`,
        occurred_at: new Date().toISOString(),
      }),
    });
    const poison = { key, value: 'not json at all', headers: { 'x-correlation-id': 'poison-in-batch' } };
    return produce([event(1), event(2), poison, event(3), event(4)], (m) => m.key === key, 5);
  }

  // Committed offsets of a group are past every one of these messages.
  async function committedPast(group: (typeof GROUPS)[number], messages: CapturedMessage[]): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          const [{ partitions }] = await admin.fetchOffsets({ groupId: `${prefix}-${group}`, topics: [ROUTE_EVENTS_TOPIC] });
          for (const m of messages) {
            expect(Number(partitions.find((p) => p.partition === m.partition)?.offset ?? -1)).toBeGreaterThan(Number(m.offset));
          }
        },
        120_000,
        250,
      );
    } finally {
      await admin.disconnect();
    }
  }

  const audit = async (query: string) => (await api.http.get(`/api/v1/audit/recent?${query}&limit=1000`)).body;

  it('should audit every event of the backlog exactly once, redelivered copies included', async () => {
    await committedPast('audit_log', [...published, ...copies]);

    const body = await audit(`tenant=${tenant}`);
    expect(body.count).toBe(ROUTES * 5);
    expect(new Set(body.events.map((e: any) => e.event_id))).toEqual(new Set(published.map((m) => m.json.event_id)));
  });

  it('should leave every route at its newest revision in Redis, through each cache group on its own', async () => {
    await committedPast('cache_invalidation', published);
    await committedPast('cache_warming', published);

    const keys = Array.from({ length: ROUTES }, (_, i) => `tm:v1:route:${tenant}:payments:prod:v${i}`);
    const expected = Array.from({ length: ROUTES }, (_, i) => finalEntry(i));
    expect(await invalidationRedis.mget(keys)).toEqual(expected);
    expect(await warmingRedis.mget(keys)).toEqual(expected);
  });

  it('should dead-letter a poison message in the middle of a batch and apply the messages around it', async () => {
    const poison = poisonBatch.find((m) => m.value === 'not json at all')!;
    for (const group of GROUPS) await committedPast(group, poisonBatch);

    const dead = probe.messages.filter((m) => m.topic === DLQ_TOPIC && m.key === poison.key);
    for (const group of GROUPS) {
      expect(dead.filter((m) => m.headers['x-dlq-group'] === group)).toEqual([
        expect.objectContaining({
          value: 'not json at all',
          headers: expect.objectContaining({
            'x-correlation-id': 'poison-in-batch',
            'x-dlq-reason': 'value is not a JSON object',
            'x-original-topic': ROUTE_EVENTS_TOPIC,
            'x-original-partition': String(poison.partition),
            'x-original-offset': poison.offset,
          }),
        }),
      ]);
    }
    const audited = await audit(`tenant=${poisonRoute.tenant}`);
    expect(audited.events.map((e: any) => e.revision).sort()).toEqual([1, 2, 3, 4]);
    expect(await invalidationRedis.get(`tm:v1:route:${poisonRoute.tenant}:payments:prod:v1`)).toBe('4|+https://p4.example.com');
  });

  it('should count each event once per group in the metrics', async () => {
    await committedPast('audit_log', [...published, ...copies]);
    const metrics = (await consumers[0].http.get('/metrics')).text;
    const value = (name: string, group: string) => Number(new RegExp(`${name}\\{group="${group}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);

    // The topic's history from other suites is counted too, so these are lower bounds.
    expect(value('consumer_events_processed_total', 'audit_log')).toBeGreaterThanOrEqual(ROUTES * 5 + 4);
    expect(value('consumer_events_duplicate_total', 'audit_log')).toBeGreaterThanOrEqual(copies.length);
    expect(value('consumer_events_dead_lettered_total', 'audit_log')).toBeGreaterThanOrEqual(1);
    // Write-to-applied time: one observation per applied event (duplicates are not observed again).
    for (const group of ['cache_invalidation', 'cache_warming', 'audit_log']) {
      expect(value('consumer_event_delay_seconds_count', group)).toBe(value('consumer_events_processed_total', group));
    }
  });
});
