import { CONSUMER_GROUP_NAMES } from '../../src/contracts/consumer-group-names';
import { ALL_TENANTS } from '../../src/contracts/principal';
import { AuditRecorder } from '../../src/modules/audit/audit-recorder';
import { BOOTSTRAP_PRINCIPAL } from '../../src/modules/auth';
import { groupPrefix, startConsumer, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { HttpClient } from '../helpers/http';
import { ensureTopics, KafkaProbe, ROUTE_EVENTS_TOPIC, startGroupsAtEnd } from '../helpers/kafka';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';
import { ago, auditPath, DAY, newestFirst, routeEvent } from './audit-fixtures';

// Who changed it (issue 10, deliverable 4): the key's name and id travel from the request through
// the outbox and Kafka into the audit trail, and the audit API filters on them.
describe('changed_by: who changed a route (e2e)', () => {
  let api: TestApp;
  let consumer: TestConsumer;
  let probe: KafkaProbe;

  beforeAll(async () => {
    await ensureTopics();
    probe = await KafkaProbe.start([ROUTE_EVENTS_TOPIC]);
    api = await startApi();
    const prefix = groupPrefix('changed-by');
    await startGroupsAtEnd(prefix, CONSUMER_GROUP_NAMES);
    consumer = await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix });
  });

  afterAll(async () => {
    await consumer.close();
    await api.close();
    await probe.stop();
  });

  const createKey = async (name: string, tenant: string) => {
    const res = await api.http.post('/api/v1/keys', { name, tenant, role: 'writer' });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, name, http: api.http.as(res.body.key) };
  };
  const idsOf = (body: any) => body.events.map((e: any) => e.event_id);
  const eventsOn = (tenant: string, count: number) =>
    eventually(() => {
      const found = probe.forTenant(tenant);
      expect(found).toHaveLength(count);
      return found.map((m) => m.json);
    });

  it('should name the key in the event on the topic and in its audit document', async () => {
    const tenant = uniqueTenant('who');
    const route = routeOf(tenant, 'v2');
    const deployer = await createKey(`${tenant}-deployer`, tenant);

    const res = await deployer.http.post('/api/v1/routes', { ...route, url: 'https://who.example.com' });

    expect(res.status).toBe(201);
    const [event] = await eventsOn(tenant, 1);
    expect(event).toMatchObject({ ...route, action: 'created', changed_by: deployer.name, changed_by_key_id: deployer.id });
    const fields = Object.keys(event);
    expect(fields.slice(fields.indexOf('changed_by'), fields.indexOf('changed_by') + 3)).toEqual([
      'changed_by',
      'changed_by_key_id',
      'correlation_id',
    ]);
    const audit = await eventually(async () => {
      const body = (await api.http.get(auditPath('route', route))).body;
      expect(body.count).toBe(1);
      return body;
    });
    expect(audit.events[0]).toMatchObject({ event_id: event.event_id, changed_by: deployer.name, changed_by_key_id: deployer.id });
  });

  it("should return exactly one key's changes when filtered by its name or id, on every audit listing", async () => {
    const tenant = uniqueTenant('who-filter');
    const [v1, v2] = [routeOf(tenant, 'v1'), routeOf(tenant, 'v2')];
    const deployer = await createKey(`${tenant}-deployer`, tenant);
    const other = await createKey(`${tenant}-other`, tenant);
    const write = (http: HttpClient, route: typeof v1, url: string) => http.post('/api/v1/routes', { ...route, url });
    await write(deployer.http, v1, 'https://one.example.com');
    await write(other.http, v2, 'https://two.example.com');
    await write(deployer.http, v2, 'https://three.example.com');
    await write(api.http, v1, 'https://four.example.com');
    // Different routes may sit on different partitions: events are told apart by their URL.
    const events = await eventsOn(tenant, 4);
    const [one, two, three, four] = ['one', 'two', 'three', 'four'].map((n) => events.find((e) => e.url === `https://${n}.example.com`));
    expect([one, two, three, four].map((e) => [e.changed_by, e.changed_by_key_id])).toEqual([
      [deployer.name, deployer.id],
      [other.name, other.id],
      [deployer.name, deployer.id],
      [BOOTSTRAP_PRINCIPAL.keyName, BOOTSTRAP_PRINCIPAL.keyId],
    ]);
    await eventually(async () => expect((await api.http.get(auditPath('recent', { tenant }))).body.count).toBe(4));

    const ofDeployer = newestFirst([one, three]);
    const window = { start_time: ago(DAY), end_time: ago(-DAY) };
    const answers = await Promise.all([
      api.http.get(auditPath('recent', { tenant, changed_by: deployer.name })),
      api.http.get(auditPath('recent', { tenant, changed_by_key_id: deployer.id })),
      api.http.get(auditPath('time-range', { ...window, tenant, changed_by: deployer.name })),
      api.http.get(auditPath('action', { action: 'updated', tenant, changed_by: deployer.name })),
      api.http.get(auditPath('route', { ...v2, changed_by_key_id: deployer.id })),
      api.http.get(auditPath('route', { ...v2, changed_by: other.name })),
      api.http.get(auditPath('recent', { tenant, changed_by: deployer.name, changed_by_key_id: other.id })),
    ]);

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => idsOf(a.body))).toEqual([ofDeployer, ofDeployer, ofDeployer, [three.event_id], [three.event_id], [two.event_id], []]);
    // The key's own tenant view answers the same.
    expect(idsOf((await deployer.http.get(auditPath('recent', { changed_by: deployer.name }))).body)).toEqual(ofDeployer);
  });

  it('should answer "who changed tenant/payments/prod/v2 last week" from the route history with a time window', async () => {
    const tenant = uniqueTenant('who-week');
    const route = routeOf(tenant, 'v2');
    const recorder = api.app.get(AuditRecorder);
    const by = (name: string, age: number, revision: number) =>
      routeEvent(route, {
        action: revision === 1 ? 'created' : 'updated',
        revision,
        occurred_at: ago(age),
        changed_by: name,
        changed_by_key_id: `${name}-id`,
      });
    const history = [by('alice', 12 * DAY, 1), by('bob', 6 * DAY, 2), by('carol', 3 * DAY, 3), by('alice', 2 * 3_600_000, 4)];
    for (const event of history) expect(await recorder.record(ALL_TENANTS, event)).toBe('inserted');

    const lastWeek = await api.http.get(auditPath('route', { ...route, start_time: ago(7 * DAY), end_time: ago(DAY) }));

    expect(lastWeek.status).toBe(200);
    expect(lastWeek.body.events.map((e: any) => [e.changed_by, e.changed_by_key_id, e.revision])).toEqual([
      ['carol', 'carol-id', 3],
      ['bob', 'bob-id', 2],
    ]);
    const backwards = await api.http.get(auditPath('route', { ...route, start_time: ago(DAY), end_time: ago(7 * DAY) }));
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ error: 'VALIDATION.FAILED', details: [{ field: 'start_time', problem: 'must be before end_time' }] });
  });
});
