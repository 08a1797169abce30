import { resolvePath } from '../helpers/http';
import { metricValue, scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

const DEPENDENCIES = ['database', 'redis', 'mongodb', 'kafka'];

async function inBatches<T>(count: number, size: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, j) => work(start + j)))));
  }
  return results;
}

// A 404 is the store's answer, not the store failing: floods of missing routes (every one a cold
// cache miss that reaches PostgreSQL) and of writes to missing routes leave every breaker closed.
describe('404 floods (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi({ RESOLVE_LOCAL_CACHE_ENABLED: 'false', BREAKER_FAILURE_THRESHOLD: '5' });
  });

  afterAll(async () => {
    await api?.close();
  });

  const breakers = async () => (await api.http.get('/health/resilience')).body.circuit_breakers;

  it('should keep every breaker closed through hundreds of resolves and writes of missing routes', async () => {
    const tenant = uniqueTenant('not-found');
    const before = await breakers();
    const queriesBefore = await scrape(api.http, 'db_queries_total');
    const groupsBefore = await scrape(api.http, 'write_commit_group_size_count');
    const groupedBefore = await scrape(api.http, 'write_commit_group_size_sum');

    const resolves = await inBatches(300, 10, (i) => api.http.get(resolvePath(routeOf(tenant, `missing-${i}`))));
    const writes = await inBatches(100, 10, (i) =>
      api.http.post(`/api/v1/routes/${i % 2 ? 'activate' : 'deactivate'}`, routeOf(tenant, `missing-${i}`)),
    );

    expect([...new Set(resolves.map((r) => `${r.status} ${r.body.error}`))]).toEqual(['404 ROUTE.NOT_FOUND']);
    expect([...new Set(writes.map((r) => `${r.status} ${r.body.error}`))]).toEqual(['404 ROUTE.NOT_FOUND']);
    // Every resolve was a cold miss that PostgreSQL answered, through the database breaker.
    expect((await scrape(api.http, 'db_queries_total')) - queriesBefore).toBeGreaterThanOrEqual(300);
    // The writes went to PostgreSQL through the breaker too, those arriving together as one group
    // commit (docs/design.md, "Group commit"): at least one per batch of ten.
    const groups = (await scrape(api.http, 'write_commit_group_size_count')) - groupsBefore;
    expect((await scrape(api.http, 'write_commit_group_size_sum')) - groupedBefore).toBe(100);
    expect(groups).toBeGreaterThanOrEqual(10);
    const after = await breakers();
    expect(after.database.total_calls - before.database.total_calls).toBeGreaterThanOrEqual(300 + groups);
    expect(after.redis.total_calls - before.redis.total_calls).toBeGreaterThanOrEqual(300);

    for (const name of DEPENDENCIES) {
      expect({ name, ...after[name] }).toMatchObject({ name, state: 'closed', failure_count: before[name].failure_count });
    }
    const metrics = (await api.http.get('/metrics')).text;
    expect(DEPENDENCIES.map((dependency) => metricValue(metrics, 'circuit_breaker_state', { dependency }))).toEqual([0, 0, 0, 0]);
  });
});
