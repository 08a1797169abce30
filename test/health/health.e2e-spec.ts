import { eventually } from '../helpers/eventually';
import { scrape } from '../helpers/metrics';
import { startApi, TestApp } from '../helpers/test-app';

describe('Health, docs and metrics (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    // Trims of the C heap every 100 ms, so the last test sees some.
    api = await startApi({ MALLOC_TRIM_INTERVAL_MS: '100' });
  });

  afterAll(async () => {
    await api.close();
  });

  it("should keep the seed's static /health probe", async () => {
    const res = await api.http.get('/health');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'healthy', service: 'traffic-manager' });
  });

  it('should report liveness without checking dependencies', async () => {
    const res = await api.http.get('/health/live');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'alive', service: 'traffic-manager' });
  });

  it('should report readiness with PostgreSQL and Redis up', async () => {
    const res = await api.http.get('/health/ready');

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.redis.status).toBe('up');
    // Subscribed to changes made through other instances (asynchronously after start).
    await eventually(async () =>
      expect((await api.http.get('/health/ready')).body.details.invalidation_channel).toEqual({ status: 'up', channel: 'tm:v1:invalidate' }),
    );
    expect(await scrape(api.http, 'cache_invalidation_channel_subscribed')).toBe(1);
  });

  it('should serve Swagger UI and an OpenAPI document covering every endpoint and its errors', async () => {
    const ui = await api.http.get('/docs');
    const doc = await api.http.get('/docs/openapi.json');

    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    const paths = doc.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/routes',
        '/api/v1/routes/activate',
        '/api/v1/routes/deactivate',
        '/api/v1/routes/resolve',
        '/api/v1/routes/{tenant}/{service}/{env}/{version}',
        '/health/live',
        '/health/ready',
      ]),
    );
    expect(Object.keys(paths['/api/v1/routes'].post.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '413', '415']));
    expect(Object.keys(paths['/api/v1/routes/resolve'].get.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(doc.body.components.schemas.CreateRouteDto.required).toEqual(expect.arrayContaining(['tenant', 'service', 'env', 'version', 'url']));
  });

  it('should serve every asset the Swagger UI page links, and send /docs/ to /docs (where those links resolve)', async () => {
    const ui = await api.http.get('/docs');
    const assets = [...ui.text.matchAll(/(?:src|href)="(\.\/[^"]+)"/g)].map((m) => new URL(m[1], `${api.http.baseUrl}/docs`).pathname);

    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) expect([asset, (await api.http.get(asset)).status]).toEqual([asset, 200]);
    for (const [path, location] of [
      ['/docs/', '/docs'],
      ['/docs/?tab=1', '/docs?tab=1'],
    ]) {
      const res = await fetch(`${api.http.baseUrl}${path}`, { redirect: 'manual' });
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 301, location]);
    }
  });

  it('should expose the seed-compatible Prometheus metrics', async () => {
    await api.http.get('/health/live', { 'X-Correlation-ID': 'metrics-probe' });
    const res = await api.http.get('/metrics');

    expect(res.status).toBe(200);
    for (const name of [
      'resolve_requests_total',
      'resolve_cache_hit_total',
      'resolve_cache_miss_total',
      'resolve_negative_cache_hit_total',
      'resolve_latency_seconds_bucket',
      'write_requests_total',
      'write_success_total',
      'write_failure_total',
      'api_requests_total',
      'correlation_ids_provided_total',
      'application_uptime_seconds',
      'db_pool_size',
      'db_pool_in_use',
      'db_pool_available',
      'kafka_producer_ready',
      'outbox_backlog_events',
    ]) {
      expect(res.text).toContain(name);
    }
    expect(res.text).toMatch(/api_requests_total\{method="GET",endpoint="\/health\/live",status_code="200"\} [1-9]/);
    expect(res.text).toMatch(/correlation_ids_provided_total [1-9]/);
    expect(res.text).toMatch(/^cache_connected 1$/m);
    expect(res.text).toMatch(/^db_pool_size [1-9]/m);
  });

  it("should give the C heap's free memory back with glibc's malloc_trim, timed in its metrics", async () => {
    await eventually(async () => {
      const res = await api.http.get('/metrics');
      expect(Number(/^malloc_trim_seconds_count (\d+)/m.exec(res.text)?.[1])).toBeGreaterThanOrEqual(2);
      expect(res.text).toMatch(/^malloc_trim_released_bytes_total \d+/m);
    });
  });
});
