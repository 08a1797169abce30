import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { RouteHistoryPruner } from '../../src/modules/routes/route-history-pruner';
import { connectDb, outboxFor } from '../helpers/database';
import { resolvePath } from '../helpers/http';
import { createKey } from '../helpers/keys';
import { scrape } from '../helpers/metrics';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

type Route = ReturnType<typeof routeOf>;

const pathOf = (route: Route) => `/api/v1/routes/${route.tenant}/${route.service}/${route.env}/${route.version}`;
const messageKey = (route: Route) => `${route.tenant}:${route.service}:${route.env}:${route.version}`;

// Route history (every revision, recorded in the change's own transaction) and rollback to a kept
// revision (a new change with its own revision and event), against the real migrations' schema.
describe('Route history and rollback (e2e)', () => {
  let api: TestApp;
  let db: Client;

  beforeAll(async () => {
    api = await startApi();
    db = await connectDb();
  });

  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
    const res = await api.http.post(path, body, headers);
    expect(res.status).toBeLessThan(300);
    return res.body;
  };

  // Revisions 1-4: created at A, updated to B, deactivated, activated again (at B).
  const withFourRevisions = async (prefix: string) => {
    const route = routeOf(uniqueTenant(prefix));
    await post('/api/v1/routes', { ...route, url: 'https://a.example.com' }, { 'x-correlation-id': `${route.tenant}-1` });
    await post('/api/v1/routes', { ...route, url: 'https://b.example.com' }, { 'x-correlation-id': `${route.tenant}-2` });
    await post('/api/v1/routes/deactivate', route, { 'x-correlation-id': `${route.tenant}-3` });
    await post('/api/v1/routes/activate', route, { 'x-correlation-id': `${route.tenant}-4` });
    return route;
  };

  describe('GET …/history', () => {
    it('should list every revision newest first, with the state after it, who made it and its event', async () => {
      const route = await withFourRevisions('hist');

      const res = await api.http.get(`${pathOf(route)}/history`);

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...route, current_revision: 4, oldest_revision: 1, count: 4, next_cursor: null });
      expect(res.body.revisions.map((r: any) => [r.revision, r.action, r.url, r.is_active])).toEqual([
        [4, 'activated', 'https://b.example.com', true],
        [3, 'deactivated', 'https://b.example.com', false],
        [2, 'updated', 'https://b.example.com', true],
        [1, 'created', 'https://a.example.com', true],
      ]);
      const events = await outboxFor(db, messageKey(route));
      res.body.revisions.forEach((revision: any) => {
        const event = events.find((e) => e.payload.revision === revision.revision)!.payload;
        expect(revision).toEqual({
          revision: event.revision,
          action: event.action,
          url: event.url,
          is_active: revision.is_active,
          changed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          changed_by: 'bootstrap-admin',
          changed_by_key_id: 'bootstrap',
          correlation_id: `${route.tenant}-${revision.revision}`,
          event_id: event.event_id,
        });
      });
    });

    it('should page with limit and cursor, and refuse a cursor that is not a history cursor', async () => {
      const route = await withFourRevisions('hpage');

      const first = await api.http.get(`${pathOf(route)}/history?limit=3`);
      const second = await api.http.get(`${pathOf(route)}/history?limit=3&cursor=${first.body.next_cursor}`);
      const listing = await api.http.get(`/api/v1/routes?tenant=${route.tenant}&limit=1`);
      const foreign = await api.http.get(`${pathOf(route)}/history?cursor=${listing.body.next_cursor ?? 'YWZ0ZXI6MQ'}`);

      expect(first.body.revisions.map((r: any) => r.revision)).toEqual([4, 3, 2]);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      expect(second.body).toMatchObject({ count: 1, next_cursor: null });
      expect(second.body.revisions.map((r: any) => r.revision)).toEqual([1]);
      expect(foreign.status).toBe(400);
      expect(foreign.body.details).toEqual([{ field: 'cursor', problem: 'is not a cursor returned by this API' }]);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1001', 'limit'],
      ['before=3', 'before'],
    ])('should refuse ?%s naming %s', async (query, field) => {
      const route = await withFourRevisions('hbad');
      const res = await api.http.get(`${pathOf(route)}/history?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION.FAILED', details: [expect.objectContaining({ field })] });
    });

    it('should answer 404 ROUTE.NOT_FOUND for a route that does not exist, and for another tenant', async () => {
      const route = await withFourRevisions('hscope');
      const other = await createKey(api.http, { tenant: uniqueTenant('other'), role: 'admin' });

      const missing = await api.http.get(`${pathOf({ ...route, version: 'v9' })}/history`);
      const foreign = await other.client.get(`${pathOf(route)}/history`);

      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('ROUTE.NOT_FOUND');
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ ...missing.body, ...route, correlation_id: expect.any(String), message: expect.any(String) });
    });
  });

  describe('POST /api/v1/routes/rollback', () => {
    it('should restore an active revision as a new revision, with an event, and serve it at once', async () => {
      const route = await withFourRevisions('rb');

      const res = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 1 });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...route, url: 'https://a.example.com', is_active: true, revision: 5 });
      expect((await api.http.get(resolvePath(route))).body.url).toBe('https://a.example.com');
      const events = await outboxFor(db, messageKey(route));
      expect(events.at(-1)!.payload).toMatchObject({
        action: 'updated',
        url: 'https://a.example.com',
        previous_url: 'https://b.example.com',
        previous_state: 'active',
        revision: 5,
      });
      const history = await api.http.get(`${pathOf(route)}/history?limit=1`);
      expect(history.body.revisions[0]).toMatchObject({ revision: 5, action: 'updated', url: 'https://a.example.com', is_active: true });
    });

    it('should deactivate when the revision was inactive, and change nothing when already in that state', async () => {
      const route = await withFourRevisions('rbinactive');

      const first = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 3 });
      const again = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 3 });

      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ url: 'https://b.example.com', is_active: false, revision: 5 });
      expect(again.status).toBe(200);
      expect(again.body.revision).toBe(5);
      expect((await api.http.get(resolvePath(route))).status).toBe(404);
      const events = await outboxFor(db, messageKey(route));
      expect(events.map((e) => e.payload.action)).toEqual(['created', 'updated', 'deactivated', 'activated', 'deactivated']);
    });

    it('should reactivate an inactive route at the URL of an active revision', async () => {
      const route = await withFourRevisions('rbreact');
      await post('/api/v1/routes/deactivate', route);

      const res = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 2 });

      expect(res.body).toMatchObject({ url: 'https://b.example.com', is_active: true, revision: 6 });
      expect((await outboxFor(db, messageKey(route))).at(-1)!.payload.action).toBe('activated');
    });

    it('should honour If-Match and expected_revision: a stale rollback is 412 and writes nothing', async () => {
      const route = await withFourRevisions('rbcas');

      const staleHeader = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 1 }, { 'if-match': '"3"' });
      const staleBody = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 1, expected_revision: 2 });
      const current = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 1 }, { 'if-match': '"4"' });

      for (const stale of [staleHeader, staleBody]) {
        expect(stale.status).toBe(412);
        expect(stale.body).toMatchObject({ error: 'ROUTE.PRECONDITION_FAILED', current_revision: 4 });
      }
      expect(current.status).toBe(200);
      expect(current.body.revision).toBe(5);
      expect(await outboxFor(db, messageKey(route))).toHaveLength(5);
    });

    it('should answer 404 ROUTE.REVISION_NOT_FOUND for a revision not reached yet, naming what is kept', async () => {
      const route = await withFourRevisions('rbahead');

      const [requests, failures] = [await scrape(api.http, 'write_requests_total'), await scrape(api.http, 'write_failure_total')];
      const res = await api.http.post('/api/v1/routes/rollback', { ...route, to_revision: 9 });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: 'ROUTE.REVISION_NOT_FOUND',
        message: `${route.tenant}/payments/prod/v1 has no revision 9 to roll back to; it is at revision 4 (revisions 1 to 4 are kept)`,
        ...route,
        current_revision: 4,
        oldest_revision: 1,
        correlation_id: expect.any(String),
      });
      expect(await outboxFor(db, messageKey(route))).toHaveLength(4);
      // A refused rollback is a failed write in the metrics, like a refused activate.
      expect([await scrape(api.http, 'write_requests_total'), await scrape(api.http, 'write_failure_total')]).toEqual([requests + 1, failures + 1]);
    });

    it('should answer 404 ROUTE.NOT_FOUND for a missing route and another tenant, 403 for a reader', async () => {
      const route = await withFourRevisions('rbscope');
      const other = await createKey(api.http, { tenant: uniqueTenant('other'), role: 'admin' });
      const reader = await createKey(api.http, { tenant: route.tenant, role: 'reader' });

      const missing = await api.http.post('/api/v1/routes/rollback', { ...route, version: 'v9', to_revision: 1 });
      const foreign = await other.client.post('/api/v1/routes/rollback', { ...route, to_revision: 1 });
      const readOnly = await reader.client.post('/api/v1/routes/rollback', { ...route, to_revision: 1 });
      const readerHistory = await reader.client.get(`${pathOf(route)}/history`);

      expect([missing.status, missing.body.error]).toEqual([404, 'ROUTE.NOT_FOUND']);
      expect([foreign.status, foreign.body.error]).toEqual([404, 'ROUTE.NOT_FOUND']);
      expect([readOnly.status, readOnly.body.error]).toEqual([403, 'AUTH.FORBIDDEN']);
      expect(readerHistory.status).toBe(200);
      expect(await outboxFor(db, messageKey(route))).toHaveLength(4);
    });

    it.each([
      [{}, 'is required'],
      [{ to_revision: 0 }, 'must be a whole number from 1 to 2147483647'],
      [{ to_revision: '1' }, 'must be a whole number from 1 to 2147483647'],
      [{ to_revision: 1.5 }, 'must be a whole number from 1 to 2147483647'],
      [{ to_revision: null }, 'is required'],
    ])('should refuse %j with 400 naming to_revision', async (extra, problem) => {
      const route = routeOf(uniqueTenant('rbbad'));
      const res = await api.http.post('/api/v1/routes/rollback', { ...route, ...extra });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION.FAILED', details: [{ field: 'to_revision', problem }] });
    });
  });

  it('should record writes made through the previous release’s nine-parameter function too', async () => {
    // An instance of the previous release during a rolling deploy calls the old signature directly.
    const route = routeOf(uniqueTenant('oldfn'));
    const eventId = randomUUID();
    const draft = {
      event_id: eventId,
      event_type: 'route_changed',
      ...route,
      changed_by: 'old-release',
      changed_by_key_id: 'k1',
      correlation_id: 'c1',
      occurred_at: new Date().toISOString(),
    };
    await db.query('SELECT * FROM tm_apply_route_change($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      route.tenant,
      route.service,
      route.env,
      route.version,
      'https://old.example.com',
      true,
      messageKey(route),
      draft,
      { 'event-type': 'route_changed' },
    ]);

    const history = await api.http.get(`${pathOf(route)}/history`);

    expect(history.body.revisions).toEqual([
      expect.objectContaining({ revision: 1, action: 'created', url: 'https://old.example.com', changed_by: 'old-release', event_id: eventId }),
    ]);
  });

  it('should remove a route’s history with its endpoint row, so a later route never inherits or trips over it', async () => {
    // Endpoints are never deleted through the API; an operator (or the bench's reset) may delete them.
    const route = await withFourRevisions('cascade');
    const { rows } = await db.query(`SELECT e.id FROM endpoints e JOIN route_revisions r ON r.endpoint_id = e.id WHERE r.correlation_id = $1`, [
      `${route.tenant}-1`,
    ]);
    await db.query('DELETE FROM endpoints WHERE id = $1', [rows[0].id]);

    const left = await db.query('SELECT count(*)::int AS n FROM route_revisions WHERE endpoint_id = $1', [rows[0].id]);
    const again = await api.http.post('/api/v1/routes', { ...route, url: 'https://again.example.com' });
    const history = await api.http.get(`${pathOf(route)}/history`);

    expect(left.rows[0].n).toBe(0);
    expect(again.status).toBe(201);
    expect(history.body).toMatchObject({ current_revision: 1, oldest_revision: 1, count: 1 });
  });

  describe('with ROUTE_HISTORY_LIMIT=3', () => {
    let small: TestApp;

    beforeAll(async () => {
      small = await startApi({ ROUTE_HISTORY_LIMIT: '3' });
    });

    afterAll(async () => {
      await small.close();
    });

    it('should prune each route to its last three revisions, and refuse a rollback to a pruned one', async () => {
      const long = await withFourRevisions('prune');
      await post('/api/v1/routes', { ...long, url: 'https://c.example.com' });
      await post('/api/v1/routes', { ...long, url: 'https://d.example.com' });
      const short = routeOf(uniqueTenant('prune-short'));
      await post('/api/v1/routes', { ...short, url: 'https://a.example.com' });
      await post('/api/v1/routes', { ...short, url: 'https://b.example.com' });

      const removed = await small.app.get(RouteHistoryPruner).prune();
      const again = await small.app.get(RouteHistoryPruner).prune();

      expect(removed).toBeGreaterThanOrEqual(3);
      expect(again).toBe(0);
      const longHistory = await small.http.get(`${pathOf(long)}/history`);
      expect(longHistory.body).toMatchObject({ current_revision: 6, oldest_revision: 4, count: 3 });
      expect(longHistory.body.revisions.map((r: any) => r.revision)).toEqual([6, 5, 4]);
      expect((await small.http.get(`${pathOf(short)}/history`)).body.revisions.map((r: any) => r.revision)).toEqual([2, 1]);

      const pruned = await small.http.post('/api/v1/routes/rollback', { ...long, to_revision: 2 });
      expect(pruned.status).toBe(404);
      expect(pruned.body).toMatchObject({
        error: 'ROUTE.REVISION_NOT_FOUND',
        message: expect.stringContaining('revisions before 4 are no longer kept (ROUTE_HISTORY_LIMIT); 4 to 6 are'),
        current_revision: 6,
        oldest_revision: 4,
      });
      const kept = await small.http.post('/api/v1/routes/rollback', { ...long, to_revision: 4 });
      expect(kept.body).toMatchObject({ url: 'https://b.example.com', is_active: true, revision: 7 });
    });
  });
});
