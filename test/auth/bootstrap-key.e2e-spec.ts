import { AppProcess } from '../helpers/app-process';
import { eventually } from '../helpers/eventually';
import { TEST_ADMIN_KEY } from '../helpers/http';

const DEVELOPMENT_KEY = 'tm-dev-admin-key';

// The built API (node dist/src/main.js) as an operator starts it: production refuses to run
// without a real bootstrap key, development runs the README quick start with the development key.
describe('Bootstrap key configuration of the built API (e2e)', () => {
  const started: AppProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const api = await AppProcess.start('main', env);
    started.push(api);
    return api;
  };

  afterAll(async () => {
    await Promise.all(started.map((api) => api.kill()));
  });

  it.each([
    ['unset', ''],
    ['too short', 'a-key-of-only-twenty'],
    ['the development key', DEVELOPMENT_KEY],
  ])('should refuse to start with ENVIRONMENT=production and a bootstrap key %s, naming the setting but not the value', async (_, key) => {
    const api = await start({ ENVIRONMENT: 'production', AUTH_BOOTSTRAP_ADMIN_KEY: key });

    expect((await api.exited).code).toBe(1);
    expect(api.log).toMatch(/traffic-manager failed to start: Invalid configuration:[\s\S]*AUTH_BOOTSTRAP_ADMIN_KEY/);
    if (key) expect(api.log).not.toContain(key);
  });

  it('should accept the development key in development when no bootstrap key is set, and say so', async () => {
    const api = await start({ ENVIRONMENT: 'development', AUTH_BOOTSTRAP_ADMIN_KEY: '' });
    await eventually(async () => expect((await api.http.get('/health/live')).status).toBe(200), 60_000);

    expect((await api.http.as(DEVELOPMENT_KEY).get('/api/v1/keys')).status).toBe(200);
    expect((await api.http.as(TEST_ADMIN_KEY).get('/api/v1/keys')).status).toBe(401);
    // Open in development: /metrics and /docs without a key.
    expect((await api.http.as(null).get('/metrics')).status).toBe(200);
    expect((await api.http.as(null).get('/docs/openapi.json')).status).toBe(200);
    expect(api.log).toMatch(/public development key is a platform admin/);
  });
});
