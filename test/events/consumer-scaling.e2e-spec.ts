import { AssignerProtocol } from 'kafkajs';
import { testKafka, ensureTopics, ROUTE_EVENTS_TOPIC } from '../helpers/kafka';
import { startConsumer, groupPrefix, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

describe('Consumer instances sharing groups (e2e)', () => {
  let api: TestApp;
  let first: TestConsumer;
  let second: TestConsumer;
  const prefix = groupPrefix('scale');
  const overrides = { KAFKA_CONSUMER_GROUP_PREFIX: prefix, CONSUMER_GROUPS: 'audit_log' };

  beforeAll(async () => {
    await ensureTopics();
    api = await startApi();
    first = await startConsumer(overrides);
    second = await startConsumer(overrides);
  });

  afterAll(async () => {
    await second.close();
    await api.close();
  });

  it('should split the partitions between two instances and lose nothing when one stops', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const assignment = await eventually(async () => {
        const { groups } = await admin.describeGroups([`${prefix}-audit_log`]);
        expect(groups[0].state).toBe('Stable');
        expect(groups[0].members).toHaveLength(2);
        return groups[0].members;
      }, 60_000);
      const partitions = assignment.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[ROUTE_EVENTS_TOPIC] ?? []);
      expect(partitions.every((p) => p.length > 0)).toBe(true);
      expect(partitions.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);

      const tenant = uniqueTenant('scale');
      const write = (i: number) => api.http.post('/api/v1/routes', { ...routeOf(tenant, `v${i}`), url: `https://s${i}.example.com` });
      for (let i = 0; i < 25; i++) expect((await write(i)).status).toBe(201);
      await first.close();
      for (let i = 25; i < 50; i++) expect((await write(i)).status).toBe(201);

      await eventually(async () => {
        const { groups } = await admin.describeGroups([`${prefix}-audit_log`]);
        expect(groups[0].members).toHaveLength(1);
      }, 60_000);
      await eventually(async () => {
        const res = await api.http.get(`/api/v1/audit/recent?tenant=${tenant}&limit=1000`);
        expect(res.body.count).toBe(50);
        expect(new Set(res.body.events.map((e: any) => e.route.version)).size).toBe(50);
      }, 60_000);
    } finally {
      await admin.disconnect();
    }
  });
});
