import { createHmac } from 'crypto';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { lookup } from 'dns/promises';
import { hostname } from 'os';
import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { createKey } from '../helpers/keys';
import { caughtUp, scrape } from '../helpers/metrics';
import { groupPrefix, startConsumer, TestConsumer } from '../helpers/consumer-app';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

// A receiver on 127.0.0.1: records every request; `answers` says what a path answers, in turn (the
// last one repeats), default 204.
class Receiver {
  readonly requests: Received[] = [];
  readonly answers = new Map<string, number[]>();
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const queue = this.answers.get(path) ?? [204];
        const status = queue.length > 1 ? queue.shift()! : queue[0];
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `no thanks (${status})` : '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// Standard Webhooks verification, written out here rather than imported, so the test checks the
// service against the specification and not against itself.
function signatureValid(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .includes(`v1,${expected}`);
}

const FAST_RETRIES = {
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_RETRY_MAX_MS: '400',
  WEBHOOK_MAX_ATTEMPTS: '3',
  WEBHOOK_TIMEOUT_MS: '2000',
};

// Webhooks end to end: the real API registers them, the real consumer process's `webhooks` group
// queues each route event from Kafka, and its dispatcher POSTs them to a real HTTP receiver.
describe('Webhooks (e2e)', () => {
  let api: TestApp;
  let strictApi: TestApp;
  let consumer: TestConsumer;
  let db: Client;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    // Development-style settings (local receiver, fast retries) for the API and the consumer; a second
    // API with the production defaults shows what registration refuses.
    api = await startApi(FAST_RETRIES);
    strictApi = await startApi();
    consumer = await startConsumer({ ...FAST_RETRIES, CONSUMER_GROUPS: 'webhooks', KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('webhooks') });
    db = await connectDb();
  }, 120_000);

  afterAll(async () => {
    await db.end();
    await consumer.close();
    await strictApi.close();
    await api.close();
    await receiver.stop();
  });

  const register = async (body: Record<string, unknown>, http = api.http) => {
    const res = await http.post('/api/v1/webhooks', body);
    expect([res.status, res.text]).toEqual([201, expect.any(String)]);
    return res.body as { id: string; secret: string; tenant: string };
  };
  const deliveries = async (id: string) => (await api.http.get(`/api/v1/webhooks/${id}/deliveries`)).body.deliveries as any[];

  it('should POST each route change as a signed CloudEvent, once, and log the delivery', async () => {
    const tenant = uniqueTenant('hook');
    const route = routeOf(tenant, 'v2');
    const hook = await register({ tenant, url: `${receiver.base}/${tenant}`, description: 'all changes' });
    expect(hook.secret).toMatch(/^whsec_/);

    await api.http.post('/api/v1/routes', { ...route, url: 'https://payments-v2.example.com' });
    await api.http.post('/api/v1/routes', { ...route, url: 'https://payments-v2b.example.com' });
    await api.http.post('/api/v1/routes/deactivate', route);

    const got = await eventually(() => {
      const at = receiver.at(`/${tenant}`);
      expect(at).toHaveLength(3);
      return at;
    }, 40_000);
    const events = got.map((r) => JSON.parse(r.body));
    expect(events.map((e) => [e.type, e.data.revision]).sort((x, y) => x[1] - y[1])).toEqual([
      ['com.traffic-manager.route.created', 1],
      ['com.traffic-manager.route.updated', 2],
      ['com.traffic-manager.route.deactivated', 3],
    ]);
    for (const [i, r] of got.entries()) {
      expect(r.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
      expect(signatureValid(hook.secret, r.headers, r.body)).toBe(true);
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(events[i]).toMatchObject({
        specversion: '1.0',
        source: `/traffic-manager/tenants/${tenant}`,
        subject: `${tenant}/payments/prod/v2`,
        datacontenttype: 'application/json',
        data: { tenant, service: 'payments', env: 'prod', version: 'v2', event_type: 'route_changed', changed_by: 'bootstrap-admin' },
      });
      expect(events[i].id).toBe(events[i].data.event_id);
    }
    // The log: one delivered entry per event, whose id is the webhook-id the receiver saw.
    const log = await eventually(async () => {
      const rows = await deliveries(hook.id);
      expect(rows.every((d) => d.status === 'delivered')).toBe(true);
      return rows;
    });
    expect(log).toHaveLength(3);
    expect(log.map((d) => d.id).sort()).toEqual(got.map((r) => r.headers['webhook-id']).sort());
    expect(log[0]).toMatchObject({ webhook_id: hook.id, attempts: 1, last_status_code: 204, last_error: null, next_attempt_at: null });
    // "Is my change live?" shows the webhooks stage done once the event is queued.
    const status = await api.http.get(`/api/v1/routes/${tenant}/payments/prod/v2/propagation`);
    expect(status.body.stages.webhooks).toEqual({ state: 'done', at: expect.any(String) });
    expect(await scrape(consumer.http, 'webhook_deliveries_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(3);
  });

  it('should send only what the filters ask for', async () => {
    const tenant = uniqueTenant('hookf');
    const staging = await register({ tenant, url: `${receiver.base}/${tenant}/staging`, envs: ['staging'] });
    const deactivations = await register({ tenant, url: `${receiver.base}/${tenant}/off`, actions: ['deactivated'], services: ['payments'] });
    const route = routeOf(tenant, 'v1');

    await api.http.post('/api/v1/routes', { ...route, url: 'https://p.example.com' });
    await api.http.post('/api/v1/routes/deactivate', route);
    await api.http.post('/api/v1/routes', { ...route, env: 'staging', url: 'https://s.example.com' });

    await eventually(() => {
      expect(receiver.at(`/${tenant}/off`).map((r) => JSON.parse(r.body).type)).toEqual(['com.traffic-manager.route.deactivated']);
      expect(receiver.at(`/${tenant}/staging`).map((r) => JSON.parse(r.body).data.env)).toEqual(['staging']);
    }, 40_000);
    expect(await deliveries(deactivations.id)).toHaveLength(1);
    expect(await deliveries(staging.id)).toHaveLength(1);
  });

  it('should retry a failing receiver with the same webhook-id and a fresh signature, then record it delivered', async () => {
    const tenant = uniqueTenant('hookr');
    const path = `/${tenant}`;
    receiver.answers.set(path, [503, 500, 200]);
    const hook = await register({ tenant, url: `${receiver.base}${path}` });

    await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://r.example.com' });

    const got = await eventually(() => {
      expect(receiver.at(path)).toHaveLength(3);
      return receiver.at(path);
    }, 40_000);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    for (const r of got) expect(signatureValid(hook.secret, r.headers, r.body)).toBe(true);
    const [delivery] = await eventually(async () => {
      const rows = await deliveries(hook.id);
      expect(rows[0]?.status).toBe('delivered');
      return rows;
    });
    expect(delivery).toMatchObject({ attempts: 3, last_status_code: 200, last_error: null });
  });

  it('should record a delivery as failed after the last attempt, and send it again on request', async () => {
    const tenant = uniqueTenant('hookd');
    const path = `/${tenant}`;
    receiver.answers.set(path, [500]);
    const hook = await register({ tenant, url: `${receiver.base}${path}` });
    await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://d.example.com' });

    const [failed] = await eventually(async () => {
      const rows = await deliveries(hook.id);
      expect(rows[0]?.status).toBe('failed');
      return rows;
    }, 40_000);
    expect(failed).toMatchObject({ attempts: 3, last_status_code: 500, last_error: 'HTTP 500: no thanks (500)', next_attempt_at: null });
    expect(receiver.at(path)).toHaveLength(3);
    expect(await scrape(consumer.http, 'webhook_deliveries_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(1);

    receiver.answers.set(path, [200]);
    const retried = await api.http.post(`/api/v1/webhooks/${hook.id}/deliveries/${failed.id}/retry`, {});
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    await eventually(async () => {
      const one = await api.http.get(`/api/v1/webhooks/${hook.id}/deliveries/${failed.id}`);
      expect(one.body).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    });
    expect(receiver.at(path)).toHaveLength(4);
  });

  it('should sign with both secrets after a rotation, and send test events and nothing for a paused webhook', async () => {
    const tenant = uniqueTenant('hooks');
    const path = `/${tenant}`;
    const hook = await register({ tenant, url: `${receiver.base}${path}` });
    const rotated = await api.http.post(`/api/v1/webhooks/${hook.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const ping = await api.http.post(`/api/v1/webhooks/${hook.id}/ping`, {});
    expect(ping.status).toBe(202);
    const [received] = await eventually(() => {
      expect(receiver.at(path)).toHaveLength(1);
      return receiver.at(path);
    });
    expect(JSON.parse(received.body)).toMatchObject({ type: 'com.traffic-manager.webhook.ping', data: { webhook_id: hook.id, tenant } });
    expect(String(received.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signatureValid(rotated.body.secret, received.headers, received.body)).toBe(true);
    expect(signatureValid(hook.secret, received.headers, received.body)).toBe(true);
    expect(received.headers['webhook-id']).toBe(ping.body.id);

    const paused = await api.http.patch(`/api/v1/webhooks/${hook.id}`, { enabled: false });
    expect(paused.body).toMatchObject({ id: hook.id, enabled: false, disabled_reason: 'paused' });
    expect(Date.parse(paused.body.disabled_at)).toBeGreaterThan(Date.now() - 60_000);
    await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://paused.example.com' });
    // The consumer has seen the event once the route's propagation says its webhooks stage is done.
    await eventually(async () => {
      const status = await api.http.get(`/api/v1/routes/${tenant}/payments/prod/v1/propagation`);
      expect(status.body.stages.webhooks.state).toBe('done');
    });
    expect(await deliveries(hook.id)).toHaveLength(1);
    expect(receiver.at(path)).toHaveLength(1);

    expect((await api.http.delete(`/api/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await api.http.get(`/api/v1/webhooks/${hook.id}`)).body.error).toBe('WEBHOOK.NOT_FOUND');
    const { rows } = await db.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1', [hook.id]);
    expect(rows[0].n).toBe(0);
  });

  it('should queue nothing twice when the events are consumed again from the start of the topic', async () => {
    const tenant = uniqueTenant('hooki');
    const path = `/${tenant}`;
    const hook = await register({ tenant, url: `${receiver.base}${path}` });
    await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://i.example.com' });
    await eventually(() => expect(receiver.at(path)).toHaveLength(1), 40_000);

    // A second process with a group of its own reads the whole topic again.
    const replay = await startConsumer({ ...FAST_RETRIES, CONSUMER_GROUPS: 'webhooks', KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('webhooks-replay') });
    try {
      // Caught up: it has handled events and its lag on every partition is 0.
      await eventually(async () => expect(await caughtUp(replay.http, 'webhooks')).toBe(true), 90_000);
    } finally {
      await replay.close();
    }
    expect(await deliveries(hook.id)).toHaveLength(1);
    expect(receiver.at(path)).toHaveLength(1);
  });

  it('should disable a webhook whose deliveries keep failing, queue nothing for it, and send again once an admin enables it', async () => {
    // Failures for 400 ms disable a webhook here (3 days by default); the suite's consumer must not
    // send these instead.
    const strictConsumer = await startConsumer({
      ...FAST_RETRIES,
      WEBHOOK_DISABLE_AFTER_MS: '400',
      CONSUMER_GROUPS: 'webhooks',
      KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('webhooks-disable'),
    });
    await consumer.close();
    try {
      const tenant = uniqueTenant('hookoff');
      const path = `/${tenant}`;
      receiver.answers.set(path, [500]);
      const hook = await register({ tenant, url: `${receiver.base}${path}` });
      await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://one.example.com' });

      // Disabled by the first failed attempt 400 ms or more after the first one (the second or third).
      const disabled = await eventually(async () => {
        const one = (await api.http.get(`/api/v1/webhooks/${hook.id}`)).body;
        expect(one).toMatchObject({ enabled: false, disabled_reason: 'delivery_failures' });
        return one;
      }, 40_000);
      expect(Date.parse(disabled.disabled_at) - Date.parse(disabled.failing_since)).toBeGreaterThanOrEqual(400);
      const [waiting] = await deliveries(hook.id);
      expect(waiting.attempts).toBeGreaterThanOrEqual(2);
      expect(await scrape(strictConsumer.http, 'webhook_subscriptions_disabled_total')).toBe(1);
      // A delivery with attempts left waits: not sent while the webhook is disabled.
      const sent = receiver.at(path).length;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(receiver.at(path)).toHaveLength(sent);

      // Disabled: a later change is not queued for it.
      await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://two.example.com' });
      await eventually(async () => {
        const status = await api.http.get(`/api/v1/routes/${tenant}/payments/prod/v1/propagation`);
        expect(status.body.stages.webhooks.state).toBe('done');
      });
      expect(await deliveries(hook.id)).toHaveLength(1);

      // An admin enables it again: its failure count starts afresh and a retried delivery goes out.
      receiver.answers.set(path, [200]);
      const enabled = await api.http.patch(`/api/v1/webhooks/${hook.id}`, { enabled: true });
      expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null, failing_since: null });
      if (waiting.status === 'failed') await api.http.post(`/api/v1/webhooks/${hook.id}/deliveries/${waiting.id}/retry`, {});
      await eventually(async () => {
        const one = await api.http.get(`/api/v1/webhooks/${hook.id}/deliveries/${waiting.id}`);
        expect(one.body).toMatchObject({ status: 'delivered', last_status_code: 200 });
      });
      expect((await api.http.get(`/api/v1/webhooks/${hook.id}`)).body).toMatchObject({ enabled: true, failing_since: null });
    } finally {
      await strictConsumer.close();
      consumer = await startConsumer({ ...FAST_RETRIES, CONSUMER_GROUPS: 'webhooks', KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('webhooks') });
    }
  });

  it('should refuse, at delivery, a host name that resolves to a loopback or private address when private targets are not allowed', async () => {
    // The machine's own name: an internal name like those an attacker would try (here in /etc/hosts).
    const internal = hostname();
    const strictConsumer = await startConsumer({
      CONSUMER_GROUPS: 'webhooks',
      KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('webhooks-strict'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_RETRY_MAX_MS: '400',
      WEBHOOK_MAX_ATTEMPTS: '2',
    });
    // The permissive consumer must not send it instead.
    await consumer.close();
    try {
      const tenant = uniqueTenant('hookx');
      const port = new URL(receiver.base).port;
      const hook = await register({ tenant, url: `http://${internal}:${port}/${tenant}` });
      const ping = await api.http.post(`/api/v1/webhooks/${hook.id}/ping`, {});
      const failed = await eventually(async () => {
        const one = await api.http.get(`/api/v1/webhooks/${hook.id}/deliveries/${ping.body.id}`);
        expect(one.body.status).toBe('failed');
        return one.body;
      });
      const { address } = await lookup(internal);
      expect(failed.last_error).toContain(`${internal} resolved to ${address}`);
      expect(failed.last_error).toContain('not sent');
      expect(failed.last_status_code).toBeNull();
      expect(receiver.at(`/${tenant}`)).toHaveLength(0);
    } finally {
      await strictConsumer.close();
      consumer = await startConsumer({ ...FAST_RETRIES, CONSUMER_GROUPS: 'webhooks', KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix('webhooks') });
    }
  });

  it.each([
    ['an http URL', { url: 'http://hooks.example.com/x' }, 'url', 'https://'],
    ['the metadata service', { url: 'https://169.254.169.254/latest' }, 'url', 'link-local'],
    ['a loopback address', { url: 'https://[::1]/hook' }, 'url', 'loopback'],
    ['credentials in the URL', { url: 'https://u:p@hooks.example.com/' }, 'url', 'user name'],
    ['an unknown action', { url: 'https://hooks.example.com/', actions: ['deleted'] }, 'actions', 'must be one of'],
    ['a bad env filter', { url: 'https://hooks.example.com/', envs: ['pr od'] }, 'envs', 'characters'],
    ['no URL', {}, 'url', 'string'],
  ])('should refuse %s with 400 naming the field (production defaults)', async (_label, body, field, problem) => {
    const res = await strictApi.http.post('/api/v1/webhooks', { tenant: uniqueTenant('hookv'), ...body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('VALIDATION.FAILED');
    const detail = res.body.details.find((d: { field: string }) => d.field === field);
    expect(detail?.problem).toContain(problem);
  });

  it('should answer ids that are not UUIDs with 400 and unknown ones with 404, and keep webhooks to admins of their tenant', async () => {
    expect((await api.http.get('/api/v1/webhooks/nope')).status).toBe(400);
    expect((await api.http.get('/api/v1/webhooks/3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a')).body.error).toBe('WEBHOOK.NOT_FOUND');
    const tenant = uniqueTenant('hooka');
    const { client: writer } = await createKey(api.http, { tenant, role: 'writer', name: `w-${tenant}` });
    const { client: admin } = await createKey(api.http, { tenant, role: 'admin', name: `a-${tenant}` });
    expect((await writer.post('/api/v1/webhooks', { url: 'https://hooks.example.com/' })).status).toBe(403);
    const own = await admin.post('/api/v1/webhooks', { url: 'https://hooks.example.com/own' });
    expect([own.status, own.body.tenant]).toEqual([201, tenant]);
    const listed = await admin.get('/api/v1/webhooks');
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toEqual([own.body.id]);
    expect(listed.body.webhooks[0].secret).toBeUndefined();
    expect((await admin.get(`/api/v1/webhooks/${own.body.id}`)).body.secret).toBeUndefined();
  });

  it('should page the list with a cursor and cap webhooks per tenant', async () => {
    const tenant = uniqueTenant('hookp');
    const capped = await startApi({ WEBHOOK_MAX_PER_TENANT: '3' });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await register({ tenant, url: `https://hooks.example.com/${i}` }, capped.http)).id);
      const over = await capped.http.post('/api/v1/webhooks', { tenant, url: 'https://hooks.example.com/4' });
      expect([over.status, over.body.error]).toEqual([409, 'WEBHOOK.LIMIT_REACHED']);
      const first = await capped.http.get(`/api/v1/webhooks?tenant=${tenant}&limit=2`);
      const second = await capped.http.get(`/api/v1/webhooks?tenant=${tenant}&limit=2&cursor=${first.body.next_cursor}`);
      expect([...first.body.webhooks, ...second.body.webhooks].map((w: { id: string }) => w.id)).toEqual([...ids].reverse());
      expect(second.body.next_cursor).toBeNull();
      expect((await capped.http.get(`/api/v1/webhooks?cursor=bm9wZQ`)).body.error).toBe('VALIDATION.FAILED');
    } finally {
      await capped.close();
    }
  });
});
