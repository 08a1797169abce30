import { startConsumer, groupPrefix, TestConsumer } from '../helpers/consumer-app';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { startService, stopService } from '../helpers/infra';
import { serializeRouteEvent } from '../../src/contracts/route-event';
import { routeEvent } from '../audit/audit-fixtures';
import { ensureTopics, KafkaProbe, rawProducer, ROUTE_EVENTS_TOPIC } from '../helpers/kafka';
import { routeOf, uniqueTenant } from '../helpers/names';
import { HttpResult } from '../helpers/http';
import { startApi, TestApp } from '../helpers/test-app';

// Real outages of the broker and of the MongoDB wire server: nothing acknowledged is lost.
describe('Event pipeline under outages (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    await ensureTopics();
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('should accept 100 writes while Kafka is down and publish all of them, in order per route, once each', async () => {
    const tenant = uniqueTenant('kafka-down');
    const versions = Array.from({ length: 10 }, (_, i) => `v${i}`);
    // A consumer that lives through the outage must catch up by itself, without a restart.
    const consumer = await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('kafka-down'), CONSUMER_GROUPS: 'audit_log' });
    await stopService('kafka');
    try {
      for (let round = 0; round < 10; round++) {
        const results = await Promise.all(
          versions.map((version) => api.http.post('/api/v1/routes', { ...routeOf(tenant, version), url: `https://r${round}.example.com` })),
        );
        expect(results.map((r) => r.status)).toEqual(versions.map(() => (round === 0 ? 201 : 200)));
      }
      const db = await connectDb();
      try {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE message_key LIKE $1 AND published_at IS NULL`, [
          `${tenant}:%`,
        ]);
        expect(rows[0].n).toBe(100);
      } finally {
        await db.end();
      }
    } finally {
      await startService('kafka');
    }

    const probe = await KafkaProbe.start([ROUTE_EVENTS_TOPIC]);
    try {
      const messages = await eventually(() => {
        const found = probe.forTenant(tenant);
        expect(found.length).toBeGreaterThanOrEqual(100);
        return found;
      }, 90_000);
      expect(messages).toHaveLength(100);
      expect(new Set(messages.map((m) => m.json.event_id)).size).toBe(100);
      for (const version of versions) {
        const ofRoute = messages.filter((m) => m.json.version === version).map((m) => m.json);
        expect(ofRoute.map((e) => e.revision)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
        expect(ofRoute.map((e) => e.url)).toEqual(Array.from({ length: 10 }, (_, i) => `https://r${i}.example.com`));
      }
      await eventually(async () => {
        const res = await api.http.get(`/api/v1/audit/recent?tenant=${tenant}&limit=1000`);
        expect(res.body.count).toBe(100);
      }, 90_000);
    } finally {
      await probe.stop();
      await consumer.close();
    }
  });

  describe('with MongoDB down', () => {
    let consumer: TestConsumer;

    beforeAll(async () => {
      consumer = await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('mongo-down'), CONSUMER_GROUPS: 'audit_log' });
    });

    afterAll(async () => {
      await consumer.close();
    });

    it('should audit every event of a burst exactly once after MongoDB comes back', async () => {
      const tenant = uniqueTenant('mongo-down');
      await stopService('mongo');
      try {
        for (let i = 0; i < 30; i++) {
          const res = await api.http.post('/api/v1/routes', { ...routeOf(tenant, `v${i % 5}`), url: `https://m${i}.example.com` });
          expect([200, 201]).toContain(res.status);
        }
        const notReady = await consumer.http.get('/health/ready');
        expect(notReady.status).toBe(503);
      } finally {
        await startService('mongo');
      }

      await eventually(async () => {
        const res = await api.http.get(`/api/v1/audit/recent?tenant=${tenant}&limit=1000`);
        expect(res.status).toBe(200);
        expect(res.body.count).toBe(30);
        expect(new Set(res.body.events.map((e: any) => e.event_id)).size).toBe(30);
      }, 60_000);
    });

    // Every event_id the audit API lists for the tenant, following next_cursor.
    async function auditedIds(tenant: string): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: HttpResult = await api.http.get(`/api/v1/audit/recent?tenant=${tenant}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        ids.push(...res.body.events.map((e: any) => e.event_id));
        cursor = res.body.next_cursor;
      } while (cursor);
      return ids;
    }

    async function publish(tenant: string, count: number): Promise<string[]> {
      const events = Array.from({ length: count }, (_, i) => routeEvent(routeOf(tenant, `v${i % 50}`), { revision: Math.floor(i / 50) + 1 }));
      const producer = await rawProducer();
      try {
        for (let i = 0; i < events.length; i += 1000) {
          const messages = events
            .slice(i, i + 1000)
            .map((e) => ({ key: `${tenant}:payments:prod:${e.version}`, value: serializeRouteEvent({ ...e }) }));
          await producer.send({ topic: ROUTE_EVENTS_TOPIC, messages });
        }
      } finally {
        await producer.disconnect();
      }
      return events.map((e) => e.event_id);
    }

    it('should audit a backlog exactly once when MongoDB stops while batches of it are being stored', async () => {
      const tenant = uniqueTenant('mongo-mid');
      const published = await publish(tenant, 3000);
      await eventually(async () => expect((await auditedIds(tenant)).length).toBeGreaterThan(0), 60_000, 50);

      await stopService('mongo');
      try {
        published.push(...(await publish(tenant, 100)));
      } finally {
        await startService('mongo');
      }

      await eventually(
        async () => {
          const ids = await auditedIds(tenant);
          expect(ids).toHaveLength(published.length);
          expect(new Set(ids)).toEqual(new Set(published));
        },
        120_000,
        500,
      );
    });
  });
});
