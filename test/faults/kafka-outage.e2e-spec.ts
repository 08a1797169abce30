import { Client } from 'pg';
import { eventually } from '../helpers/eventually';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { PrivateKafka } from '../helpers/private-kafka';
import { PrivatePostgres } from '../helpers/private-postgres';
import { startApi, TestApp } from '../helpers/test-app';

// The API's own broker and database, so its relay is the only one publishing this outbox and
// stopping the broker disturbs no other suite. Small batches, so the relay needs several rounds.
describe('Kafka stopped (e2e)', () => {
  const kafka = new PrivateKafka('faults', 19392);
  let pg: PrivatePostgres;
  let db: Client;
  let api: TestApp;
  const tenant = uniqueTenant('kafka-fault');
  const versions = Array.from({ length: 10 }, (_, i) => `v${i}`);

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    db = await pg.connect();
    await kafka.wipe();
    await kafka.start();
    api = await startApi({ ...pg.env(), KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap, OUTBOX_BATCH_SIZE: '5', BREAKER_HALF_OPEN_AFTER_MS: '1000' });
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    await db?.end();
    await pg?.destroy();
    await kafka.wipe();
  }, 300_000);

  const backlogMetric = () => scrape(api.http, 'outbox_backlog_events');
  const unpublished = async () => (await db.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL')).rows[0].n;

  it('should accept every write while Kafka is stopped and show the backlog in outbox_backlog_events', async () => {
    expect((await api.http.post('/api/v1/routes', { ...routeOf(tenant, 'before'), url: 'https://before.example.com' })).status).toBe(201);
    await eventually(async () => expect(await unpublished()).toBe(0), 60_000);
    const publishedBefore = await scrape(api.http, 'kafka_events_published_total', { action: 'created' });
    expect(publishedBefore).toBe(1);

    await kafka.stop();
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        versions.map((v) => api.http.post('/api/v1/routes', { ...routeOf(tenant, v), url: `https://r${round}.example.com` })),
      );
      expect(results.map((r) => r.status)).toEqual(versions.map(() => (round === 0 ? 201 : 200)));
    }
    expect(await unpublished()).toBe(30);
    await eventually(async () => expect(await backlogMetric()).toBe(30), 30_000);
    expect(await scrape(api.http, 'outbox_oldest_event_age_seconds')).toBeGreaterThan(0);
  });

  it('should open the kafka breaker while the broker stays down', async () => {
    await eventually(async () => expect(await scrape(api.http, 'circuit_breaker_state', { dependency: 'kafka' })).toBe(2), 60_000);
    expect((await api.http.get('/health/resilience')).body.circuit_breakers.kafka).toMatchObject({ state: 'open' });
  });

  it('should publish the whole backlog once Kafka is back, after which the backlog metric reads 0', async () => {
    await kafka.start();

    await eventually(async () => expect(await unpublished()).toBe(0), 120_000);
    await eventually(async () => expect(await backlogMetric()).toBe(0), 30_000);
    await eventually(async () => expect(await scrape(api.http, 'circuit_breaker_state', { dependency: 'kafka' })).toBe(0), 30_000);
    expect(await scrape(api.http, 'kafka_events_published_total', { action: 'created' })).toBe(11);
    expect(await scrape(api.http, 'kafka_events_published_total', { action: 'updated' })).toBe(20);
    // Writes go on as before, and reach Kafka without a restart.
    expect((await api.http.post('/api/v1/routes', { ...routeOf(tenant, 'after'), url: 'https://after.example.com' })).status).toBe(201);
    await eventually(async () => expect(await scrape(api.http, 'kafka_events_published_total', { action: 'created' })).toBe(12), 60_000);
  });
});
