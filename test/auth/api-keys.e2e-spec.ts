import { createHash } from 'crypto';
import { Client } from 'pg';
import { connectDb } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { HttpResult, resolvePath } from '../helpers/http';
import { createKey } from '../helpers/keys';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectError(res: HttpResult, status: number, code: string) {
  expect({ status: res.status, error: res.body?.error }).toEqual({ status, error: code });
  expect(res.body).toMatchObject({ message: expect.any(String), correlation_id: res.headers.get('x-correlation-id') });
}

// Key management through /api/v1/keys: the secret shown once, scopes, roles, revocation.
describe('API keys (e2e)', () => {
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

  it('should show a new key once, store only its hash, and never list it', async () => {
    const tenant = uniqueTenant('keys');
    const res = await api.http.post('/api/v1/keys', { name: 'deployer', tenant, role: 'writer' });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      key: expect.stringMatching(/^tm_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/),
      name: 'deployer',
      tenant,
      role: 'writer',
      created_at: expect.any(String),
      created_by: 'bootstrap-admin',
      expires_at: null,
      last_used_at: null,
      revoked_at: null,
    });
    const { id, key } = res.body;
    const secret = key.slice(-43);
    expect((await api.http.as(key).post('/api/v1/routes', { ...routeOf(tenant), url: 'https://a.example.com' })).status).toBe(201);

    const list = await api.http.get(`/api/v1/keys?tenant=${tenant}`);
    expect(list.body).toEqual({ keys: [expect.objectContaining({ id, name: 'deployer', tenant, role: 'writer' })], count: 1, next_cursor: null });
    expect(list.body.keys[0].key).toBeUndefined();
    const one = await api.http.get(`/api/v1/keys/${id}`);
    expect(one.body).toMatchObject({ id, name: 'deployer' });
    for (const text of [list.text, one.text]) expect(text).not.toContain(secret);
    const { rows } = await db.query('SELECT * FROM api_keys WHERE id = $1', [id]);
    expect(rows[0].secret_hash).toEqual(createHash('sha256').update(secret).digest());
    expect(JSON.stringify(rows[0])).not.toContain(secret);

    // last_used_at is written in the background, not on the request path.
    await eventually(async () => expect((await api.http.get(`/api/v1/keys/${id}`)).body.last_used_at).toEqual(expect.any(String)), 10_000);
  });

  it('should refuse a revoked key with 401 at once, and answer a repeated revocation unchanged', async () => {
    const tenant = uniqueTenant('revoke');
    const reader = await createKey(api.http, { tenant, role: 'reader' });
    expect((await reader.client.get(`/api/v1/routes?tenant=${tenant}`)).status).toBe(200);

    const revoked = await api.http.delete(`/api/v1/keys/${reader.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: reader.id, revoked_at: expect.any(String) });

    expectError(await reader.client.get(`/api/v1/routes?tenant=${tenant}`), 401, 'AUTH.UNAUTHENTICATED');
    expectError(await reader.client.get(resolvePath(routeOf(tenant))), 401, 'AUTH.UNAUTHENTICATED');
    const again = await api.http.delete(`/api/v1/keys/${reader.id}`);
    expect(again.body).toEqual(revoked.body);
    expect((await api.http.get(`/api/v1/keys?tenant=${tenant}`)).body.keys[0].revoked_at).toBe(revoked.body.revoked_at);
  });

  it('should answer 404 for an unknown key id and 400 for something that is not one', async () => {
    expectError(await api.http.get('/api/v1/keys/0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e'), 404, 'KEY.NOT_FOUND');
    expectError(await api.http.delete('/api/v1/keys/0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e'), 404, 'KEY.NOT_FOUND');
    expectError(await api.http.get('/api/v1/keys/not-a-key'), 400, 'VALIDATION.FAILED');
  });

  it('should let each role do its operations and answer 403 beyond them', async () => {
    const tenant = uniqueTenant('roles');
    const route = routeOf(tenant);
    const [reader, writer, admin] = await Promise.all(
      (['reader', 'writer', 'admin'] as const).map((role) => createKey(api.http, { tenant, role }).then((k) => k.client)),
    );

    expectError(await reader.post('/api/v1/routes', { ...route, url: 'https://a.example.com' }), 403, 'AUTH.FORBIDDEN');
    expect((await writer.post('/api/v1/routes', { ...route, url: 'https://a.example.com' })).status).toBe(201);
    expect((await writer.post('/api/v1/routes/deactivate', route)).status).toBe(200);
    expectError(await reader.post('/api/v1/routes/activate', route), 403, 'AUTH.FORBIDDEN');
    for (const client of [reader, writer, admin]) {
      expect((await client.get(`/api/v1/routes/${tenant}/payments/prod/v1`)).status).toBe(200);
      expect((await client.get(`/api/v1/routes?tenant=${tenant}`)).status).toBe(200);
      expect((await client.get(`/api/v1/audit/recent?days=1&tenant=${tenant}`)).status).not.toBe(403);
      expect((await client.get(resolvePath(route))).status).toBe(404);
    }
    for (const client of [reader, writer]) {
      expectError(await client.get('/api/v1/keys'), 403, 'AUTH.FORBIDDEN');
      expectError(await client.post('/api/v1/keys', { name: 'mine', role: 'reader' }), 403, 'AUTH.FORBIDDEN');
    }
    expect((await admin.get('/api/v1/keys')).status).toBe(200);
  });

  it('should keep a tenant admin to the keys of its own tenant', async () => {
    const [a, b] = [uniqueTenant('adm-a'), uniqueTenant('adm-b')];
    const adminA = await createKey(api.http, { tenant: a, role: 'admin' });
    const readerB = await createKey(api.http, { tenant: b, role: 'reader' });

    const own = await adminA.client.post('/api/v1/keys', { name: 'ci', role: 'writer' });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ tenant: a, created_by: expect.stringMatching(/^key-/) });
    expectError(await adminA.client.post('/api/v1/keys', { name: 'x', tenant: b, role: 'reader' }), 403, 'AUTH.FORBIDDEN');
    expectError(await adminA.client.post('/api/v1/keys', { name: 'y', tenant: '*', role: 'reader' }), 403, 'AUTH.FORBIDDEN');

    const listed = await adminA.client.get('/api/v1/keys');
    expect(new Set(listed.body.keys.map((k: { tenant: string }) => k.tenant))).toEqual(new Set([a]));
    expect(listed.body.keys.map((k: { id: string }) => k.id).sort()).toEqual([adminA.id, own.body.id].sort());
    expect((await adminA.client.get(`/api/v1/keys?tenant=${b}`)).body.keys).toEqual([]);
    expect((await adminA.client.get('/api/v1/keys?tenant=*')).body.keys).toEqual([]);
    expectError(await adminA.client.get(`/api/v1/keys/${readerB.id}`), 404, 'KEY.NOT_FOUND');
    expectError(await adminA.client.delete(`/api/v1/keys/${readerB.id}`), 404, 'KEY.NOT_FOUND');
    expect((await readerB.client.get(`/api/v1/routes?tenant=${b}`)).status).toBe(200);
  });

  it('should make a platform admin name the tenant, "*" for a platform key that sees every tenant', async () => {
    const tenant = uniqueTenant('platform');
    await api.http.post('/api/v1/routes', { ...routeOf(tenant), url: 'https://p.example.com' });

    const unnamed = await api.http.post('/api/v1/keys', { name: `p-${tenant}`, role: 'reader' });
    expectError(unnamed, 400, 'VALIDATION.FAILED');
    expect(unnamed.body.details).toEqual([{ field: 'tenant', problem: expect.stringContaining('"*"') }]);
    const platform = await createKey(api.http, { name: `p-${tenant}`, tenant: '*', role: 'reader' });
    expect((await api.http.get(`/api/v1/keys/${platform.id}`)).body.tenant).toBe('*');
    expect((await platform.client.get(resolvePath(routeOf(tenant)))).body.url).toBe('https://p.example.com');
  });

  it('should refuse a taken name, an expiry in the past, an unknown role and unknown fields', async () => {
    const tenant = uniqueTenant('bad');
    await createKey(api.http, { name: 'dup', tenant, role: 'reader' });

    expectError(await api.http.post('/api/v1/keys', { name: 'dup', tenant, role: 'writer' }), 409, 'KEY.ALREADY_EXISTS');
    expect((await api.http.post('/api/v1/keys', { name: 'dup', tenant: uniqueTenant('other'), role: 'writer' })).status).toBe(201);
    expectError(await api.http.post('/api/v1/keys', { name: 'bootstrap-admin', tenant: '*', role: 'reader' }), 409, 'KEY.ALREADY_EXISTS');
    const bad = [
      { name: 'past', tenant, role: 'reader', expires_at: '2020-01-01T00:00:00Z' },
      { name: 'naive', tenant, role: 'reader', expires_at: '2099-01-01T00:00:00' },
      { name: 'god', tenant, role: 'root' },
      { name: 'extra', tenant, role: 'reader', secret: 'mine' },
      { name: ' spaced', tenant, role: 'reader' },
      { name: 'dots', tenant: '..', role: 'reader' },
    ];
    for (const body of bad) expectError(await api.http.post('/api/v1/keys', body), 400, 'VALIDATION.FAILED');
  });

  it('should page through keys with a cursor', async () => {
    const tenant = uniqueTenant('page');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createKey(api.http, { tenant, role: 'reader' })).id);

    const first = await api.http.get(`/api/v1/keys?tenant=${tenant}&limit=2`);
    expect(first.body.count).toBe(2);
    const second = await api.http.get(`/api/v1/keys?tenant=${tenant}&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ count: 1, next_cursor: null });
    // Oldest first; keys created within the same millisecond are ordered by id.
    expect([...first.body.keys, ...second.body.keys].map((k: { id: string }) => k.id).sort()).toEqual(ids.sort());
    expectError(await api.http.get(`/api/v1/keys?cursor=nonsense`), 400, 'VALIDATION.FAILED');
  });
});
