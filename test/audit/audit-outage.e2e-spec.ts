import { ALL_TENANTS } from '../../src/contracts/principal';
import { AuditRecorder } from '../../src/modules/audit/audit-recorder';
import { eventually } from '../helpers/eventually';
import { startService, stopService } from '../helpers/infra';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';
import { routeEvent } from './audit-fixtures';

// Stops the shared MongoDB wire server, restarts it in `finally`, and waits until both apps query
// again, so later suites find MongoDB as they expect it.
describe('Audit API with MongoDB down (e2e)', () => {
  let api: TestApp;
  let bootedWhileDown: TestApp | undefined;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await bootedWhileDown?.close();
    await api.close();
  });

  const recent = (app: TestApp, tenant: string) => app.http.get(`/api/v1/audit/recent?tenant=${tenant}`);

  it('should answer 503, boot anyway, and serve again by itself once MongoDB is back', async () => {
    const tenant = uniqueTenant('audit-outage');
    const route = routeOf(tenant);

    await stopService('mongo');
    try {
      const down = await recent(api, tenant);
      const write = api.app.get(AuditRecorder).record(ALL_TENANTS, routeEvent(route));
      await expect(write).rejects.toThrow();
      bootedWhileDown = await startApi();
      const downAtBoot = await recent(bootedWhileDown, tenant);

      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('1');
      expect(down.body).toMatchObject({ error: 'DEPENDENCY.UNAVAILABLE', correlation_id: down.headers.get('x-correlation-id') });
      expect(downAtBoot.status).toBe(503);
      expect(downAtBoot.body.error).toBe('DEPENDENCY.UNAVAILABLE');
    } finally {
      await startService('mongo');
    }

    const lateRecorder = bootedWhileDown!.app.get(AuditRecorder);
    await eventually(async () => expect((await recent(api, tenant)).status).toBe(200), 60_000, 250);
    await eventually(async () => expect(await lateRecorder.record(ALL_TENANTS, routeEvent(route))).toBe('inserted'), 60_000, 250);
    const replayed = routeEvent(route);
    await lateRecorder.record(ALL_TENANTS, replayed);

    expect(await lateRecorder.record(ALL_TENANTS, replayed)).toBe('duplicate');
    expect((await recent(api, tenant)).body.count).toBe(2);
    expect((await recent(bootedWhileDown!, tenant)).body.count).toBe(2);
  });
});
