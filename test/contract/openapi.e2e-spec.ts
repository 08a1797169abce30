import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { startApi, TestApp } from '../helpers/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const EITHER_KEY = [{ bearer: [] }, { apiKey: [] }];

interface Operation {
  path: string;
  method: string;
  operation: any;
}

function operationsOf(document: any): Operation[] {
  return Object.entries<any>(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method] })),
  );
}

// A request the document says is well formed: path and required query parameters from its examples.
function exampleUrl({ path, operation }: Operation): string {
  const params: any[] = operation.parameters ?? [];
  const example = (name: string) => String(params.find((p) => p.name === name)?.schema?.example ?? 'x');
  const required = params.filter((p) => p.in === 'query' && p.required).map((p): [string, string] => [p.name, example(p.name)]);
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(example(name)));
  return required.length ? `${filled}?${new URLSearchParams(required)}` : filled;
}

// /docs/openapi.json is the contract clients generate from; `npm run openapi:lint` lints the document
// scripts/openapi.ts writes. These tests keep the two equal and the document's claims true.
describe('OpenAPI document (e2e)', () => {
  let api: TestApp;
  let served: any;

  beforeAll(async () => {
    api = await startApi();
    served = (await api.http.get('/docs/openapi.json')).body;
  });

  afterAll(async () => {
    await api.close();
  });

  it('should serve exactly the document that npm run openapi:lint checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await run(join(ROOT, 'node_modules/.bin/ts-node'), ['--transpile-only', 'scripts/openapi.ts', file], { cwd: ROOT });

      expect(served).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should declare both key headers and require one on every /api/v1 operation, and none elsewhere', () => {
    expect(served.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
    const operations = operationsOf(served);
    const keyed = operations.filter(({ path }) => path.startsWith('/api/v1/'));
    const open = operations.filter(({ path }) => !path.startsWith('/api/v1/'));

    expect(keyed.length).toBeGreaterThan(0);
    for (const { operation } of keyed) {
      expect(operation.security).toEqual(EITHER_KEY);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '429', '503']));
      expect(Object.keys(operation.responses['429'].headers)).toEqual(expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit']));
    }
    expect(open.map(({ path }) => path)).toEqual(expect.arrayContaining(['/health', '/health/live', '/health/ready', '/health/resilience']));
    for (const { path, operation } of open) expect([path, operation.security]).toEqual([path, path === '/metrics' ? [{}, ...EITHER_KEY] : []]);
  });

  it('should answer 401 without a key on every operation it documents as needing one, and not on the open ones', async () => {
    const anonymous = api.http.as(null);
    for (const entry of operationsOf(served)) {
      const { security } = entry.operation;
      // [{}, …]: a key is optional, whether one is needed is configuration (/metrics).
      if (security.some((requirement: object) => Object.keys(requirement).length === 0)) continue;
      const method = entry.method.toUpperCase();
      const body = method === 'GET' ? undefined : '{}';
      const res = await anonymous.request(method, exampleUrl(entry), body, body ? { 'content-type': 'application/json' } : {});
      const answer = `${method} ${entry.path}: ${res.status}`;

      if (security.length > 0) {
        expect(answer).toBe(`${method} ${entry.path}: 401`);
        expect(res.body.error).toBe('AUTH.UNAUTHENTICATED');
      } else {
        expect(answer).not.toMatch(/: 40[13]$/);
      }
    }
  });

  // Generated clients name their methods after operationIds: a rename breaks them, so it must be deliberate.
  it('should keep every operationId', () => {
    expect(
      operationsOf(served)
        .map(({ operation }) => operation.operationId)
        .sort(),
    ).toEqual([
      'AuditController_action',
      'AuditController_recent',
      'AuditController_route',
      'AuditController_timeRange',
      'AuditController_verify',
      'HealthController_live',
      'HealthController_ready',
      'HealthController_staticProbe',
      'KeysController_create',
      'KeysController_getOne',
      'KeysController_list',
      'KeysController_revoke',
      'PrometheusController_index',
      'ResilienceController_resilience',
      'ResolveRoute_resolve',
      'RoutesController_activate',
      'RoutesController_changeset',
      'RoutesController_create',
      'RoutesController_deactivate',
      'RoutesController_getOne',
      'RoutesController_history',
      'RoutesController_list',
      'RoutesController_propagation',
      'RoutesController_rollback',
      'SchedulesController_approve',
      'SchedulesController_cancel',
      'SchedulesController_get',
      'SchedulesController_list',
      'SchedulesController_schedule',
      'TenantSafetyController_get',
      'TenantSafetyController_put',
      'WatchRoute_watch',
      'WebhooksController_create',
      'WebhooksController_delete',
      'WebhooksController_deliveries',
      'WebhooksController_delivery',
      'WebhooksController_get',
      'WebhooksController_list',
      'WebhooksController_ping',
      'WebhooksController_retry',
      'WebhooksController_rotate',
      'WebhooksController_update',
    ]);
  });
});
