import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { ensureTopics, KafkaProbe, ROUTE_EVENTS_TOPIC } from '../helpers/kafka';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

describe('Outbox relay across API instances (e2e)', () => {
  let first: TestApp;
  let second: TestApp;
  let db: Client;
  let probe: KafkaProbe;

  beforeAll(async () => {
    await ensureTopics();
    db = await connectDb();
    probe = await KafkaProbe.start([ROUTE_EVENTS_TOPIC]);
    first = await startApi();
    second = await startApi();
  });

  afterAll(async () => {
    await second.close();
    await first.close();
    await probe.stop();
    await db.end();
  });

  const relayLocks = async () => {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
       AND objid = hashtext('traffic-manager.outbox-relay')::oid
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows[0].n as number;
  };

  it('should publish from exactly one leader, each event once, in commit order per route', async () => {
    const route = routeOf(uniqueTenant('relay'));
    const apis = [first, second];
    for (let i = 0; i < 20; i++) {
      const res = await apis[i % 2].http.post('/api/v1/routes', { ...route, url: `https://r${i}.example.com` });
      expect([200, 201]).toContain(res.status);
    }

    const messages = await eventually(() => {
      const found = probe.forTenant(route.tenant);
      expect(found.length).toBeGreaterThanOrEqual(20);
      return found;
    });
    expect(messages.map((m) => m.json.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await relayLocks()).toBe(1);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE message_key = $1 AND published_at IS NOT NULL`, [
        `${route.tenant}:payments:prod:v1`,
      ]);
      expect(rows[0].n).toBe(20);
    });
  });

  it('should hand leadership over when the leader stops', async () => {
    await first.close();
    const route = routeOf(uniqueTenant('handover'));
    await second.http.post('/api/v1/routes', { ...route, url: 'https://after.example.com' });

    await eventually(() => expect(probe.forTenant(route.tenant)).toHaveLength(1));
    expect(await relayLocks()).toBe(1);
    first = await startApi();
  });

  it('should delete published rows older than the retention and keep recent ones', async () => {
    const key = `${uniqueTenant('retention')}:payments:prod:v1`;
    const insert = (publishedAgo: string | null) =>
      db.query(
        `INSERT INTO outbox_events (event_id, event_type, message_key, payload, published_at, created_at)
         VALUES ($1, 'route_changed', $2, '{}'::jsonb, ${publishedAgo ? `now() - interval '${publishedAgo}'` : 'NULL'}, now() - interval '100 hours')
         RETURNING id`,
        [randomUUID(), key],
      );
    await insert('90 hours');
    await insert('1 hour');

    // A freshly started leader cleans up on its first round.
    await second.close();
    await first.close();
    first = await startApi({ OUTBOX_RETENTION_HOURS: '72' });
    second = await startApi();

    await eventually(async () => {
      const { rows } = await db.query(`SELECT now() - published_at < interval '2 hours' AS recent FROM outbox_events WHERE message_key = $1`, [key]);
      expect(rows).toEqual([{ recent: true }]);
    });
  });
});
