import Redis from 'ioredis';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { startConsumer, groupPrefix, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { DLQ_TOPIC, ensureTopics, KafkaProbe, rawProducer, ROUTE_EVENTS_TOPIC, startGroupsAtEnd } from '../helpers/kafka';
import { CONSUMER_GROUP_NAMES } from '../../src/contracts/consumer-group-names';
import { BOOTSTRAP_PRINCIPAL } from '../../src/modules/auth';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// The API writes its own cache entries to Redis DB 1 here, so whatever appears in DB 0 was put
// there by the consumer process.
describe('Route events: outbox → Kafka → consumers (e2e)', () => {
  let api: TestApp;
  let consumer: TestConsumer;
  let probe: KafkaProbe;
  let consumerRedis: Redis;

  beforeAll(async () => {
    await ensureTopics();
    probe = await KafkaProbe.start([ROUTE_EVENTS_TOPIC, DLQ_TOPIC]);
    api = await startApi({ REDIS_DB: '1' });
    const prefix = groupPrefix('pipeline');
    await startGroupsAtEnd(prefix, CONSUMER_GROUP_NAMES);
    consumer = await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix, REDIS_DB: '0' });
    consumerRedis = new Redis({ host: '127.0.0.1', port: 6379, db: 0 });
  });

  afterAll(async () => {
    consumerRedis.disconnect();
    await consumer.close();
    await api.close();
    await probe.stop();
  });

  const auditOf = async (route: ReturnType<typeof routeOf>) =>
    (await api.http.get(`/api/v1/audit/route?${new URLSearchParams(route).toString()}`)).body;

  it('should publish one keyed message per change and audit each with previous values and the correlation id', async () => {
    const route = routeOf(uniqueTenant('flow'));
    const key = `${route.tenant}:payments:prod:v1`;
    await api.http.post('/api/v1/routes', { ...route, url: 'https://one.example.com' }, { 'X-Correlation-ID': 'flow-create' });
    await api.http.post('/api/v1/routes', { ...route, url: 'https://two.example.com' }, { 'X-Correlation-ID': 'flow-update' });
    await api.http.post('/api/v1/routes/deactivate', route, { 'X-Correlation-ID': 'flow-off' });
    await api.http.post('/api/v1/routes/activate', route, { 'X-Correlation-ID': 'flow-on' });

    const messages = await eventually(() => {
      const found = probe.forTenant(route.tenant);
      expect(found).toHaveLength(4);
      return found;
    });
    expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    expect(messages.map((m) => m.key)).toEqual([key, key, key, key]);
    expect(messages.map((m) => m.headers)).toEqual(
      ['flow-create', 'flow-update', 'flow-off', 'flow-on'].map((id) => ({ 'x-correlation-id': id, 'event-type': 'route_changed' })),
    );
    expect(messages.map((m) => [m.json.action, m.json.revision, m.json.previous_url, m.json.previous_state])).toEqual([
      ['created', 1, null, null],
      ['updated', 2, 'https://one.example.com', 'active'],
      ['deactivated', 3, 'https://two.example.com', 'active'],
      ['activated', 4, 'https://two.example.com', 'inactive'],
    ]);
    expect(messages[0].json).toMatchObject({
      event_type: 'route_changed',
      ...route,
      url: 'https://one.example.com',
      changed_by: BOOTSTRAP_PRINCIPAL.keyName,
      changed_by_key_id: BOOTSTRAP_PRINCIPAL.keyId,
    });
    expect(Object.keys(messages[0].json)).toEqual([
      'event_id',
      'event_type',
      'action',
      'tenant',
      'service',
      'env',
      'version',
      'url',
      'previous_url',
      'previous_state',
      'revision',
      'changed_by',
      'changed_by_key_id',
      'correlation_id',
      'occurred_at',
    ]);

    const audit = await eventually(async () => {
      const body = await auditOf(route);
      expect(body.count).toBe(4);
      return body;
    });
    expect(audit.events.map((e: any) => [e.action, e.previous_url, e.previous_state, e.correlation_id, e.revision])).toEqual([
      ['activated', 'https://two.example.com', 'inactive', 'flow-on', 4],
      ['deactivated', 'https://two.example.com', 'active', 'flow-off', 3],
      ['updated', 'https://one.example.com', 'active', 'flow-update', 2],
      ['created', null, null, 'flow-create', 1],
    ]);
    expect(audit.events.map((e: any) => e.event_id)).toEqual([...messages].reverse().map((m) => m.json.event_id));

    await eventually(async () => expect(await consumerRedis.get(`tm:v1:route:${key}`)).toBe('4|+https://two.example.com'));
  });

  it('should dead-letter poison messages with the reason and keep processing later messages', async () => {
    const tenant = uniqueTenant('poison');
    const warnLogs = jest.spyOn(PinoNestLogger.prototype, 'warn');
    const producer = await rawProducer();
    try {
      await producer.send({
        topic: ROUTE_EVENTS_TOPIC,
        messages: [
          { key: `${tenant}:bad`, value: 'this is not json', headers: { 'x-correlation-id': 'poison-1' } },
          { key: `${tenant}:bad`, value: JSON.stringify({ event_id: 'x', action: 'exploded', tenant }) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const good = routeOf(tenant);
    await api.http.post('/api/v1/routes', { ...good, url: 'https://after-poison.example.com' });

    const dead = await eventually(() => {
      const found = probe.messages.filter((m) => m.topic === DLQ_TOPIC && m.key === `${tenant}:bad`);
      expect(found.filter((m) => m.headers['x-dlq-group'] === 'audit_log')).toHaveLength(2);
      return found;
    });
    const auditCopies = dead.filter((m) => m.headers['x-dlq-group'] === 'audit_log');
    expect(auditCopies[0]).toMatchObject({ value: 'this is not json' });
    expect(auditCopies[0].headers).toMatchObject({
      'x-dlq-reason': 'value is not a JSON object',
      'x-original-topic': ROUTE_EVENTS_TOPIC,
      'x-correlation-id': 'poison-1',
    });
    expect(auditCopies[1].headers['x-dlq-reason']).toContain('action');
    // Also proves the log spy used by the duplicate test below does see consumer log lines.
    await eventually(() =>
      expect(warnLogs.mock.calls.filter(([line]) => String(line).includes('audit_log: message at')).length).toBeGreaterThanOrEqual(2),
    );
    warnLogs.mockRestore();
    await eventually(async () => expect((await auditOf(good)).count).toBe(1));
  });

  it('should audit an event delivered twice only once, quietly', async () => {
    const route = routeOf(uniqueTenant('dup'));
    await api.http.post('/api/v1/routes', { ...route, url: 'https://dup.example.com' });
    const [original] = await eventually(() => {
      const found = probe.forTenant(route.tenant);
      expect(found).toHaveLength(1);
      return found;
    });
    await eventually(async () => expect((await auditOf(route)).count).toBe(1));
    const metricsBefore = (await consumer.http.get('/metrics')).text;

    const errorLogs = jest.spyOn(PinoNestLogger.prototype, 'error');
    const warnLogs = jest.spyOn(PinoNestLogger.prototype, 'warn');
    const producer = await rawProducer();
    try {
      await producer.send({ topic: ROUTE_EVENTS_TOPIC, messages: [{ key: original.key, value: original.value, headers: original.headers }] });
      const duplicates = (text: string) => Number(/consumer_events_duplicate_total\{group="audit_log"\} (\d+)/.exec(text)?.[1] ?? 0);
      await eventually(async () => expect(duplicates((await consumer.http.get('/metrics')).text)).toBeGreaterThan(duplicates(metricsBefore)));

      expect((await auditOf(route)).count).toBe(1);
      // Other groups may still be dead-lettering older poison messages; none of the lines may be about this event.
      const aboutIt = [...errorLogs.mock.calls, ...warnLogs.mock.calls].filter(
        (call) => /E11000|duplicate|audit/i.test(JSON.stringify(call)) && !/dead-lettered/.test(JSON.stringify(call)),
      );
      expect(aboutIt).toEqual([]);
    } finally {
      errorLogs.mockRestore();
      warnLogs.mockRestore();
      await producer.disconnect();
    }
  });

  it('should serve consumer health and per-group metrics on its own port', async () => {
    const live = await consumer.http.get('/health/live');
    const ready = await consumer.http.get('/health/ready');
    const metrics = await consumer.http.get('/metrics');

    expect(live.body).toMatchObject({ status: 'alive', groups: ['cache_invalidation', 'cache_warming', 'audit_log', 'webhooks'] });
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.details)).toEqual(expect.arrayContaining(['kafka', 'redis', 'database', 'mongodb']));
    // The consumer trims its C heap too (every 10 s by default).
    expect(metrics.text).toContain('# TYPE malloc_trim_seconds histogram');
    for (const group of ['cache_invalidation', 'cache_warming', 'audit_log', 'webhooks']) {
      expect(metrics.text.split('\n').filter((l) => l.startsWith('consumer_events_processed_total'))).toContainEqual(
        expect.stringMatching(new RegExp(`\\{group="${group}"\\} [1-9]`)),
      );
    }
    await eventually(async () =>
      expect((await consumer.http.get('/metrics')).text).toMatch(/consumer_group_lag\{group="audit_log",partition="\d+"\}/),
    );
  });
});
