import { AppProcess } from '../helpers/app-process';
import { eventually } from '../helpers/eventually';
import { resolvePath } from '../helpers/http';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';

// The built API as deployed (its own process, production memory flags) gives the memory its load
// left behind back to the OS once it is idle, keeps serving, and still exits 0 on SIGTERM. Small
// thresholds so that a short load is enough; the defaults are measured by `npm run bench`.
describe('Idle-time memory trim (e2e)', () => {
  let api: AppProcess | undefined;

  afterAll(async () => {
    await api?.kill();
  });

  it('should give freed memory back once load stops, then keep serving and exit 0 on SIGTERM', async () => {
    api = await AppProcess.start('main', {
      MEMORY_TRIM_ENABLED: 'true',
      MEMORY_TRIM_INTERVAL_MS: '300',
      MEMORY_TRIM_IDLE_PERCENT: '50',
      MEMORY_TRIM_MIN_GROWTH_MB: '4',
      DRAIN_DELAY: '0',
      OUTBOX_RELAY_ENABLED: 'false',
    });
    const http = api.http;
    await eventually(async () => expect((await http.get('/health/ready')).status).toBe(200), 60_000);
    expect(await scrape(http, 'memory_trims_total', { result: 'trimmed' })).toBe(0);

    // Load that leaves garbage and grown young-generation space behind: writes, and resolves of
    // routes that exist and that do not.
    const tenant = uniqueTenant('trim');
    const work = Array.from({ length: 3000 }, (_, n) => {
      const route = routeOf(tenant, `v${n % 300}`);
      return () =>
        n < 300 ? http.post('/api/v1/routes', { ...route, url: `https://v${n}.example.com` }) : http.get(resolvePath(routeOf(tenant, `x${n}`)));
    });
    for (let i = 0; i < work.length; i += 30) await Promise.all(work.slice(i, i + 30).map((w) => w()));

    await eventually(async () => expect(await scrape(http, 'memory_trims_total', { result: 'trimmed' })).toBeGreaterThanOrEqual(1), 30_000, 200);
    expect(await scrape(http, 'memory_trim_released_bytes_total')).toBeGreaterThan(0);
    expect(await scrape(http, 'memory_trims_total', { result: 'failed' })).toBe(0);
    expect(api.log).toMatch(/gave \d+ MB back to the OS/);

    expect((await http.get(resolvePath(routeOf(tenant, 'v7')))).body).toMatchObject({ url: 'https://v7.example.com' });
    api.signal('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
  });
});
