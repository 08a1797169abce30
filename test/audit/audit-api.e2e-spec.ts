import { ALL_TENANTS } from '../../src/contracts/principal';
import { RouteChangedEvent } from '../../src/contracts/route-event';
import { AuditRecorder } from '../../src/modules/audit/audit-recorder';
import { HttpResult } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';
import { ago, auditPath, DAY, HOUR, newestFirst, Route, routeEvent, withoutRoute, withRoute } from './audit-fixtures';

// Events are arranged through the real AuditRecorder (what the audit_log consumer calls) and read
// back through the HTTP API; each test owns its tenant.
describe('Audit API (e2e)', () => {
  let api: TestApp;
  let recorder: AuditRecorder;

  beforeAll(async () => {
    api = await startApi();
    recorder = api.app.get(AuditRecorder);
  });

  afterAll(async () => {
    await api.close();
  });

  const record = async (route: Route, patch: Partial<RouteChangedEvent> = {}): Promise<RouteChangedEvent> => {
    const event = routeEvent(route, patch);
    expect(await recorder.record(ALL_TENANTS, event)).toBe('inserted');
    return event;
  };

  const audit = (endpoint: string, params: Record<string, string | number>) => api.http.get(auditPath(endpoint, params));
  const idsOf = (res: HttpResult) => res.body.events.map((e: { event_id: string }) => e.event_id);

  // Follows next_cursor to the end; returns every page's body.
  const allPages = async (endpoint: string, params: Record<string, string | number>) => {
    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const res: HttpResult = await audit(endpoint, cursor ? { ...params, cursor } : params);
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.next_cursor;
    } while (cursor && pages.length < 50);
    return pages;
  };

  describe('GET /api/v1/audit/route', () => {
    it("should list one route's history newest first, without the route inside each event", async () => {
      const route = routeOf(uniqueTenant('audit-route'));
      const created = await record(route, { occurred_at: ago(3 * HOUR) });
      const updated = await record(route, {
        action: 'updated',
        url: 'https://v1-new.example.com',
        previous_url: created.url,
        previous_state: 'active',
        revision: 2,
        occurred_at: ago(2 * HOUR),
      });
      const deactivated = await record(route, {
        action: 'deactivated',
        url: 'https://v1-new.example.com',
        previous_url: 'https://v1-new.example.com',
        previous_state: 'active',
        revision: 3,
        occurred_at: ago(HOUR),
      });
      await record({ ...route, version: 'v2' });
      await record({ ...route, env: 'staging' });

      const res = await audit('route', route);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ route, count: 3, events: [deactivated, updated, created].map(withoutRoute), next_cursor: null });
    });

    it('should page through events sharing one occurred_at without skipping or repeating any', async () => {
      const route = routeOf(uniqueTenant('audit-ties'));
      const tie = ago(2 * HOUR);
      const events = [
        await record(route, { occurred_at: ago(HOUR) }),
        ...(await Promise.all(Array.from({ length: 5 }, () => record(route, { occurred_at: tie })))),
        await record(route, { occurred_at: ago(3 * HOUR) }),
      ];

      const pages = await allPages('route', { ...route, limit: 2 });

      expect(pages.map((p) => p.count)).toEqual([2, 2, 2, 1]);
      expect(pages.flatMap((p) => p.events.map((e: any) => e.event_id))).toEqual(newestFirst(events));
      expect(pages[3].next_cursor).toBeNull();
    });

    it('should end with a null next_cursor when the last page is exactly full', async () => {
      const route = routeOf(uniqueTenant('audit-full'));
      for (let i = 1; i <= 4; i++) await record(route, { occurred_at: ago(i * HOUR) });

      const pages = await allPages('route', { ...route, limit: 2 });

      expect(pages.map((p) => [p.count, p.next_cursor === null])).toEqual([
        [2, false],
        [2, true],
      ]);
    });

    it('should store a redelivered event_id once and report the second record as a duplicate', async () => {
      const route = routeOf(uniqueTenant('audit-dup'));
      const first = await record(route);

      const again = await recorder.record(ALL_TENANTS, { ...first, url: 'https://replayed.example.com' });
      const res = await audit('route', route);

      expect(again).toBe('duplicate');
      expect(res.body.count).toBe(1);
      expect(res.body.events[0].url).toBe(first.url);
    });
  });

  describe('GET /api/v1/audit/recent', () => {
    it('should cover the last 30 days by default and narrow by days, service and env', async () => {
      const tenant = uniqueTenant('audit-recent');
      const route = routeOf(tenant);
      const today = await record(route, { occurred_at: ago(HOUR) });
      const lastWeek = await record(route, { occurred_at: ago(8 * DAY) });
      await record(route, { occurred_at: ago(40 * DAY) });
      const otherService = await record({ ...route, service: 'billing' }, { occurred_at: ago(2 * HOUR) });
      const otherEnv = await record({ ...route, env: 'staging' }, { occurred_at: ago(3 * HOUR) });

      const all = await audit('recent', { tenant });
      const lastFiveDays = await audit('recent', { tenant, days: 5 });
      const payments = await audit('recent', { tenant, service: 'payments' });
      const staging = await audit('recent', { tenant, env: 'staging', days: 365 });

      expect(all.status).toBe(200);
      expect(all.body).toEqual({ days: 30, count: 4, events: [today, otherService, otherEnv, lastWeek].map(withRoute), next_cursor: null });
      expect(lastFiveDays.body.days).toBe(5);
      expect(idsOf(lastFiveDays)).toEqual([today, otherService, otherEnv].map((e) => e.event_id));
      expect(idsOf(payments)).toEqual([today, otherEnv, lastWeek].map((e) => e.event_id));
      expect(idsOf(staging)).toEqual([otherEnv.event_id]);
    });

    it('should page within the time window', async () => {
      const tenant = uniqueTenant('audit-recent-pages');
      const tie = ago(DAY);
      const ages = [HOUR, DAY, DAY, DAY, 2 * DAY];
      const events = await Promise.all(ages.map((age, i) => record(routeOf(tenant, `v${i}`), { occurred_at: age === DAY ? tie : ago(age) })));
      await record(routeOf(tenant), { occurred_at: ago(10 * DAY) });

      const pages = await allPages('recent', { tenant, days: 3, limit: 2 });

      expect(pages.flatMap((p) => p.events.map((e: any) => e.event_id))).toEqual(newestFirst(events));
    });
  });

  describe('GET /api/v1/audit/action', () => {
    it('should list one action, over all time unless hours is given', async () => {
      const tenant = uniqueTenant('audit-action');
      const route = routeOf(tenant);
      await record(route, { action: 'created', occurred_at: ago(5 * HOUR) });
      const recent = await record(route, { action: 'updated', occurred_at: ago(HOUR) });
      const old = await record(route, { action: 'updated', occurred_at: ago(100 * DAY) });
      await record(route, { action: 'deactivated', occurred_at: ago(HOUR / 2) });
      const elsewhere = await record({ ...route, service: 'billing' }, { action: 'updated', occurred_at: ago(2 * HOUR) });

      const allTime = await audit('action', { action: 'updated', tenant });
      const lastThreeHours = await audit('action', { action: 'updated', tenant, hours: 3 });
      const payments = await audit('action', { action: 'updated', tenant, service: 'payments' });

      expect(allTime.status).toBe(200);
      expect(allTime.body).toEqual({ action: 'updated', hours: null, count: 3, events: [recent, elsewhere, old].map(withRoute), next_cursor: null });
      expect(lastThreeHours.body).toMatchObject({ action: 'updated', hours: 3, count: 2 });
      expect(idsOf(lastThreeHours)).toEqual([recent.event_id, elsewhere.event_id]);
      expect(idsOf(payments)).toEqual([recent.event_id, old.event_id]);
    });
  });

  describe('GET /api/v1/audit/time-range', () => {
    it('should include both ends, read offsets as UTC and echo the normalised range', async () => {
      const tenant = uniqueTenant('audit-range');
      const route = routeOf(tenant);
      const at = (time: string) => `2025-06-01T${time}.000Z`;
      await record(route, { occurred_at: at('10:59:59') });
      const start = await record(route, { occurred_at: at('11:00:00') });
      const middle = await record(route, { action: 'updated', occurred_at: at('11:30:00') });
      const end = await record({ ...route, env: 'staging' }, { occurred_at: at('12:00:00') });
      await record(route, { occurred_at: at('12:00:01') });

      const res = await audit('time-range', { tenant, start_time: '2025-06-01T13:00:00+02:00', end_time: '2025-06-01T12:00:00Z' });
      const updatedOnly = await audit('time-range', { tenant, action: 'updated', start_time: at('11:00:00'), end_time: at('12:00:00') });
      const prodOnly = await audit('time-range', { tenant, env: 'prod', start_time: at('11:00:00'), end_time: at('12:00:00') });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        start_time: '2025-06-01T11:00:00.000Z',
        end_time: '2025-06-01T12:00:00.000Z',
        count: 3,
        events: [end, middle, start].map(withRoute),
        next_cursor: null,
      });
      expect(idsOf(updatedOnly)).toEqual([middle.event_id]);
      expect(idsOf(prodOnly)).toEqual([middle.event_id, start.event_id]);
    });
  });
  describe('correlation_id', () => {
    it('should narrow every listing to the changes of one request, and refuse a malformed id', async () => {
      const tenant = uniqueTenant('audit-corr');
      const [v1, v2, v3] = ['v1', 'v2', 'v3'].map((v) => routeOf(tenant, v));
      const request = `changeset-${tenant}`;
      const first = await record(v1, { correlation_id: request, occurred_at: ago(2 * HOUR) });
      const second = await record(v2, { action: 'updated', correlation_id: request, occurred_at: ago(2 * HOUR) });
      await record(v3, { correlation_id: 'another-request', occurred_at: ago(2 * HOUR) });
      await record(v1, { action: 'updated', revision: 2, correlation_id: 'another-request', occurred_at: ago(HOUR) });
      const window = { start_time: new Date(Date.now() - 3 * HOUR).toISOString(), end_time: new Date().toISOString() };

      const recent = await audit('recent', { tenant, correlation_id: request });
      const route = await audit('route', { ...v1, correlation_id: request });
      const action = await audit('action', { action: 'updated', tenant, correlation_id: request });
      const range = await audit('time-range', { ...window, tenant, correlation_id: request });
      const bad = await audit('recent', { tenant, correlation_id: 'a b' });

      expect(recent.status).toBe(200);
      expect(idsOf(recent).sort()).toEqual([first.event_id, second.event_id].sort());
      expect(idsOf(route)).toEqual([first.event_id]);
      expect(idsOf(action)).toEqual([second.event_id]);
      expect(idsOf(range).sort()).toEqual([first.event_id, second.event_id].sort());
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([
        { field: 'correlation_id', problem: 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-" (a correlation id)' },
      ]);
    });
  });
});
