import { getModelToken } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { AuditEvent } from '../../src/modules/audit/audit-event.schema';
import { groupPrefix, startConsumer, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { createKey } from '../helpers/keys';
import { caughtUp, scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// The tamper-evident audit trail end to end: the real audit_log group chains each route's documents
// as it stores them; GET /api/v1/audit/verify finds a document changed or removed behind the API's
// back (here straight through the MongoDB model, as someone with database access would).
describe('Audit hash chain (e2e)', () => {
  let api: TestApp;
  let consumer: TestConsumer;
  let audit: Model<AuditEvent>;
  const tenant = uniqueTenant('chain');
  const route = routeOf(tenant, 'v1');
  const prefix = groupPrefix('chain');
  const verify = async (query = `tenant=${tenant}`) => (await api.http.get(`/api/v1/audit/verify?${query}`)).body;

  beforeAll(async () => {
    api = await startApi();
    consumer = await startConsumer({ CONSUMER_GROUPS: 'audit_log', KAFKA_CONSUMER_GROUP_PREFIX: prefix });
    audit = api.app.get(getModelToken(AuditEvent.name));
    await api.http.post('/api/v1/routes', { ...route, url: 'https://one.example.com' });
    await api.http.post('/api/v1/routes', { ...route, url: 'https://two.example.com' });
    await api.http.post('/api/v1/routes/deactivate', route);
    await api.http.post('/api/v1/routes/activate', route);
    await api.http.post('/api/v1/routes', { ...routeOf(tenant, 'v2'), url: 'https://other.example.com' });
  }, 120_000);

  afterAll(async () => {
    await consumer.close();
    await api.close();
  });

  const chainOf = async () =>
    (await audit.find({ 'route.tenant': tenant, 'route.version': 'v1' }).sort({ revision: 1 }).lean<AuditEvent[]>().exec()).map((d) => ({
      event_id: d.event_id,
      revision: d.revision,
      prev: d.chain?.prev,
      hash: d.chain?.hash,
    }));

  it("should chain each route's documents in revision order and verify them intact", async () => {
    const result = await eventually(async () => {
      const body = await verify();
      expect(body.documents).toBe(5);
      return body;
    }, 40_000);

    expect(result).toMatchObject({
      tenant,
      ok: true,
      routes: 2,
      documents: 5,
      chained: 5,
      unchained: 0,
      broken_total: 0,
      broken: [],
      truncated: false,
    });
    const chain = await chainOf();
    expect(chain.map((d) => d.revision)).toEqual([1, 2, 3, 4]);
    expect(chain[0].prev).toBeNull();
    for (let i = 1; i < chain.length; i++) expect(chain[i].prev).toBe(chain[i - 1].hash);
    expect(await verify(`tenant=${tenant}&service=payments&env=prod&version=v2`)).toMatchObject({ ok: true, routes: 1, documents: 1 });
  });

  it('should add nothing to the chains when every event is consumed again from the start of the topic', async () => {
    const before = await chainOf();
    const replay = await startConsumer({ CONSUMER_GROUPS: 'audit_log', KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('chain-replay') });
    try {
      await eventually(async () => expect(await caughtUp(replay.http, 'audit_log')).toBe(true), 90_000);
      // It did read the route's events again: as duplicates.
      expect(await scrape(replay.http, 'consumer_events_duplicate_total', { group: 'audit_log' })).toBeGreaterThan(0);
    } finally {
      await replay.close();
    }
    expect(await chainOf()).toEqual(before);
    expect(await verify()).toMatchObject({ ok: true, documents: 5, chained: 5 });
  });

  it("should show tenants only their own trail's verification", async () => {
    const { client: other } = await createKey(api.http, { tenant: uniqueTenant('chain-other'), role: 'reader', name: `r-${tenant}` });
    expect(await other.get(`/api/v1/audit/verify?tenant=${tenant}`).then((r) => r.body)).toMatchObject({ ok: true, documents: 0, routes: 0 });
    const missing = await api.http.get('/api/v1/audit/verify');
    expect([missing.status, missing.body.details[0].field]).toEqual([400, 'tenant']);
  });

  it('should store chained documents under their chain position and continue a chain whose documents have ObjectIds', async () => {
    const legacyTenant = uniqueTenant('chain-legacy');
    const legacyRoute = routeOf(legacyTenant, 'v1');
    const position = `${legacyTenant}/payments/prod/v1`;
    const documentsOf = () => audit.collection.find({ 'route.tenant': legacyTenant }).sort({ revision: 1 }).toArray();
    await api.http.post('/api/v1/routes', { ...legacyRoute, url: 'https://one.example.com' });
    await api.http.post('/api/v1/routes', { ...legacyRoute, url: 'https://two.example.com' });
    const stored = await eventually(async () => {
      const docs = await documentsOf();
      expect(docs).toHaveLength(2);
      return docs;
    }, 40_000);
    expect(stored.map((d) => d._id)).toEqual([`${position}#1`, `${position}#2`]);

    // As written before 2026-12-04: the same documents under ObjectIds, and the index chain.at had then.
    await audit.collection.deleteMany({ 'route.tenant': legacyTenant });
    await audit.collection.insertMany(stored.map(({ _id, ...doc }) => ({ ...doc, _id: new Types.ObjectId() })));
    await audit.collection.createIndex({ 'chain.at': 1 }, { name: 'chain_at_idx', unique: true, sparse: true });

    // The consumer restarted (as by the upgrade): it drops that index, knows no heads, and links the
    // next change after those documents all the same.
    await consumer.close();
    consumer = await startConsumer({ CONSUMER_GROUPS: 'audit_log', KAFKA_CONSUMER_GROUP_PREFIX: prefix });
    await eventually(async () => expect((await audit.collection.indexes()).map((i) => i.name)).not.toContain('chain_at_idx'), 20_000);
    await api.http.post('/api/v1/routes', { ...legacyRoute, url: 'https://three.example.com' });
    const docs = await eventually(async () => {
      const all = await documentsOf();
      expect(all).toHaveLength(3);
      return all;
    }, 40_000);
    expect(docs[2]._id).toBe(`${position}#3`);
    expect(docs[2].chain.prev).toBe(docs[1].chain.hash);
    expect(await verify(`tenant=${legacyTenant}`)).toMatchObject({ ok: true, documents: 3, chained: 3, unchained: 0 });
  });

  it("should report a change PostgreSQL committed whose audit document is gone, also from a chain's end", async () => {
    const tailTenant = uniqueTenant('chain-tail');
    const tailRoute = routeOf(tailTenant, 'v1');
    for (const url of ['https://one.example.com', 'https://two.example.com', 'https://three.example.com'])
      await api.http.post('/api/v1/routes', { ...tailRoute, url });
    // An instance that expects a document for every change older than 200 ms (60 s by default).
    const quick = await startApi({ AUDIT_VERIFY_GRACE_MS: '200' });
    try {
      const check = async () => (await quick.http.get(`/api/v1/audit/verify?tenant=${tailTenant}`)).body;
      await eventually(async () => expect(await check()).toMatchObject({ ok: true, documents: 3, missing: 0 }), 40_000);
      // Until every change is older than the grace (the audit_log group may have been quicker).
      await new Promise((resolve) => setTimeout(resolve, 400));
      const docs = await audit.find({ 'route.tenant': tailTenant }).sort({ revision: 1 }).lean<AuditEvent[]>().exec();
      await audit.deleteOne({ event_id: docs[2].event_id }).exec();

      // The remaining chain is intact; only PostgreSQL's history says revision 3 happened.
      const result = await check();
      expect(result).toMatchObject({ ok: false, documents: 2, chained: 2, missing: 1, broken_total: 1 });
      expect(result.broken).toEqual([
        { event_id: docs[2].event_id, service: 'payments', env: 'prod', version: 'v1', revision: 3, problem: 'missing' },
      ]);
      // Narrowed to another version: nothing of this route is expected.
      expect((await quick.http.get(`/api/v1/audit/verify?tenant=${tailTenant}&service=payments&env=prod&version=v9`)).body).toMatchObject({
        ok: true,
        documents: 0,
        missing: 0,
      });
    } finally {
      await quick.close();
    }
  });

  it('should report a document changed after it was written, and one removed, by the events where the chain breaks', async () => {
    const [, second, third, fourth] = await chainOf();
    await audit.updateOne({ event_id: second.event_id }, { $set: { url: 'https://attacker.example.com' } }).exec();

    const altered = await verify();
    expect(altered).toMatchObject({ ok: false, broken_total: 1 });
    expect(altered.broken).toEqual([
      { event_id: second.event_id, service: 'payments', env: 'prod', version: 'v1', revision: 2, problem: 'hash_mismatch' },
    ]);

    await audit.deleteOne({ event_id: third.event_id }).exec();
    const removed = await verify();
    expect(removed).toMatchObject({ ok: false, documents: 4, broken_total: 2 });
    expect(removed.broken.map((b: { event_id: string; problem: string }) => [b.event_id, b.problem])).toEqual([
      [second.event_id, 'hash_mismatch'],
      [fourth.event_id, 'prev_mismatch'],
    ]);
  });
});
