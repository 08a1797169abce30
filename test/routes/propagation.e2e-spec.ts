import Redis from 'ioredis';
import { startConsumer, groupPrefix, TestConsumer } from '../helpers/consumer-app';
import { eventually } from '../helpers/eventually';
import { ensureTopics, startGroupsAtEnd } from '../helpers/kafka';
import { createKey } from '../helpers/keys';
import { routeOf, uniqueTenant } from '../helpers/names';
import { redisClient } from '../helpers/redis';
import { startApi, TestApp } from '../helpers/test-app';
import { CONSUMER_GROUP_NAMES } from '../../src/contracts/consumer-group-names';
import { STORE_AND_MARK_LUA } from '../../src/modules/route-store/route-cache-codec';

type Route = ReturnType<typeof routeOf>;

const pathOf = (route: Route) => `/api/v1/routes/${route.tenant}/${route.service}/${route.env}/${route.version}`;
const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

// "Is my change live?": GET …/propagation reports, stage by stage, where a revision has got to, read
// from the real stores: PostgreSQL, the outbox relay's Kafka publication, Redis (the shared entry and
// the consumer groups' applied marks) and the MongoDB audit trail.
describe('Route propagation status (e2e)', () => {
  let api: TestApp;
  let consumer: TestConsumer | undefined;
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    await ensureTopics();
    api = await startApi();
    redis = redisClient();
    // The groups start at the topic's end, and the consumer only when a test starts it: until then
    // nothing applies this suite's events.
    prefix = groupPrefix('propagation');
    await startGroupsAtEnd(prefix, CONSUMER_GROUP_NAMES);
  });

  afterAll(async () => {
    redis.disconnect();
    await consumer?.close();
    await api.close();
  });

  const write = async (route: Route, url: string) => {
    const res = await api.http.post('/api/v1/routes', { ...route, url });
    expect(res.status).toBeLessThan(300);
    return res.body.revision as number;
  };
  const propagation = (route: Route, query = '') => api.http.get(`${pathOf(route)}/propagation${query}`);

  it('should report a committed change as not live while no consumer has applied it, then every stage done once they have', async () => {
    const route = routeOf(uniqueTenant('prop'));
    await write(route, 'https://one.example.com');
    const revision = await write(route, 'https://two.example.com');

    const before = await propagation(route);

    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ ...route, revision, current_revision: revision, live: false });
    expect(before.body.stages).toMatchObject({
      committed: { state: 'done', at: ISO },
      // The writer stored its change in Redis right after the commit.
      shared_cache: { state: 'done', revision },
      cache_invalidation: { state: 'pending', at: null, revision: null },
      cache_warming: { state: 'pending', at: null, revision: null },
      audit_log: { state: 'pending', at: null },
    });
    // The relay runs in the API: published soon, whether or not anyone consumes.
    await eventually(async () => expect((await propagation(route)).body.stages.published).toEqual({ state: 'done', at: ISO }));

    consumer = await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix });
    const after = await eventually(async () => {
      const res = await propagation(route);
      expect(res.body.stages.audit_log.state).toBe('done');
      expect(res.body.stages.cache_warming.state).toBe('done');
      expect(res.body.live).toBe(true);
      return res.body;
    });

    expect(after).toEqual({
      ...route,
      revision,
      current_revision: revision,
      live: true,
      stages: {
        committed: { state: 'done', at: ISO },
        published: { state: 'done', at: ISO },
        shared_cache: { state: 'done', at: null, revision },
        cache_invalidation: { state: 'done', at: ISO, revision },
        cache_warming: { state: 'done', at: ISO, revision },
        audit_log: { state: 'done', at: ISO },
        // The tenant has no webhook: nothing to queue, done at once.
        webhooks: { state: 'done', at: null },
      },
    });
    const { committed, published, cache_invalidation, audit_log } = after.stages;
    expect(Date.parse(published.at)).toBeGreaterThanOrEqual(Date.parse(committed.at));
    expect(Date.parse(cache_invalidation.at)).toBeGreaterThanOrEqual(Date.parse(committed.at));
    expect(Date.parse(audit_log.at)).toBeGreaterThanOrEqual(Date.parse(committed.at));
  });

  it('should report an older revision as done through the later one each group applied, and each revision by its own event', async () => {
    const route = routeOf(uniqueTenant('propold'));
    await write(route, 'https://one.example.com');
    await write(route, 'https://two.example.com');
    await api.http.post('/api/v1/routes/deactivate', route);
    consumer ??= await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix });
    await eventually(async () => expect((await propagation(route)).body).toMatchObject({ live: true, stages: { audit_log: { state: 'done' } } }));

    const first = await propagation(route, '?revision=1');

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ revision: 1, current_revision: 3, live: true });
    expect(first.body.stages).toMatchObject({
      // A deactivated route is a negative entry at revision 3.
      shared_cache: { state: 'done', revision: 3 },
      cache_invalidation: { state: 'done', revision: 3 },
      cache_warming: { state: 'done', revision: 3 },
      audit_log: { state: 'done', at: ISO },
    });
    // Each revision's commit time is its own.
    const third = await propagation(route, '?revision=3');
    expect(Date.parse(third.body.stages.committed.at)).toBeGreaterThanOrEqual(Date.parse(first.body.stages.committed.at));
  });

  it('should report an older entry in the shared cache as pending, with the revision it holds', async () => {
    const route = routeOf(uniqueTenant('propstale'));
    await write(route, 'https://one.example.com');
    const revision = await write(route, 'https://two.example.com');
    // Both cache groups store the change too: let them finish first, or one of them may overwrite the
    // stale entry below with the current one.
    consumer ??= await startConsumer({ KAFKA_CONSUMER_GROUP_PREFIX: prefix });
    await eventually(async () =>
      expect((await propagation(route)).body.stages).toMatchObject({
        cache_invalidation: { state: 'done', revision },
        cache_warming: { state: 'done', revision },
      }),
    );
    await redis.set(`tm:v1:route:${route.tenant}:${route.service}:${route.env}:${route.version}`, '1|+https://one.example.com', 'EX', 60);

    const res = await propagation(route);

    expect(res.body.stages.shared_cache).toEqual({ state: 'pending', at: null, revision: 1 });
    expect(res.body.revision).toBe(revision);
  });

  it('should never lower a group mark when an older event is applied again (redelivery)', async () => {
    const route = `${uniqueTenant('propmark')}:payments:prod:v1`;
    const key = `tm:v1:applied:${route}`;
    // The script the cache groups run: the route's store, then the group's mark.
    const storeAndMark = (group: string, revision: number, at: number) =>
      redis.eval(
        STORE_AND_MARK_LUA,
        2,
        `tm:v1:route:${route}`,
        key,
        revision,
        `${revision}|+https://r${revision}.example.com`,
        60,
        '',
        '',
        group,
        revision,
        at,
        60,
      );

    await storeAndMark('cache_warming', 5, 1000);
    expect(await redis.hgetall(key)).toEqual({ cache_warming: '5|1000' });
    await storeAndMark('cache_warming', 3, 2000);
    expect(await redis.hgetall(key)).toEqual({ cache_warming: '5|1000' });
    await storeAndMark('cache_warming', 5, 3000);
    expect(await redis.hgetall(key)).toEqual({ cache_warming: '5|1000' });
    await storeAndMark('cache_invalidation', 4, 4000);

    expect(await redis.hgetall(key)).toEqual({ cache_warming: '5|1000', cache_invalidation: '4|4000' });
    expect(await redis.ttl(key)).toBeGreaterThan(50);
    // The store's own revision guard still holds: the entry stays at the newest revision.
    expect(await redis.get(`tm:v1:route:${route}`)).toBe('5|+https://r5.example.com');
  });

  it('should answer 404 naming the kept revisions for a revision not reached yet, and 404 for a route that does not exist', async () => {
    const route = routeOf(uniqueTenant('prop404'));
    await write(route, 'https://one.example.com');

    const ahead = await propagation(route, '?revision=7');
    expect(ahead.status).toBe(404);
    expect(ahead.body).toMatchObject({
      error: 'ROUTE.REVISION_NOT_FOUND',
      message: `${route.tenant}/payments/prod/v1 has no revision 7 kept; it is at revision 1 (revisions 1 to 1 are kept)`,
      current_revision: 1,
      oldest_revision: 1,
    });

    const missing = await propagation(routeOf(uniqueTenant('propnone')));
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('ROUTE.NOT_FOUND');
  });

  it.each(['0', 'abc', '1.5', '-1', '', '2147483648', '99999999999'])('should refuse revision=%p with a 400 naming it', async (value) => {
    const route = routeOf(uniqueTenant('propbad'));
    await write(route, 'https://one.example.com');

    const res = await propagation(route, `?revision=${encodeURIComponent(value)}`);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('VALIDATION.FAILED');
    expect(res.body.details).toEqual([{ field: 'revision', problem: 'must be an integer between 1 and 2147483647' }]);
  });

  it('should accept the largest revision number and answer 404 for it', async () => {
    const route = routeOf(uniqueTenant('propmax'));
    await write(route, 'https://one.example.com');

    expect((await propagation(route, '?revision=2147483647')).status).toBe(404);
    expect((await propagation(route, '?revision=1')).status).toBe(200);
  });

  it("should not tell a key of another tenant anything about the tenant's routes", async () => {
    const route = routeOf(uniqueTenant('propscope'));
    await write(route, 'https://one.example.com');
    const other = await createKey(api.http, { name: 'prop-other', tenant: uniqueTenant('propother'), role: 'reader' });

    const res = await other.client.get(`${pathOf(route)}/propagation`);

    expect(res.status).toBe(404);
    expect(res.body.error).toBe('ROUTE.NOT_FOUND');
  });
});
