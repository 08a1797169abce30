import { startApi, TestApp } from '../helpers/test-app';

// The seed silently replaced bad numbers with defaults and could not parse time ranges at all; here
// every bad parameter is a JSON 400 that names it. None of these requests reaches MongoDB.
describe('Audit API input validation (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const route = 'tenant=t&service=s&env=e&version=v';
  const range = 'start_time=2025-06-01T11:00:00Z&end_time=2025-06-01T12:00:00Z';

  it.each([
    ['route', 'tenant=t&service=s&env=e', 'version'],
    ['route', 'tenant=t:1&service=s&env=e&version=v', 'tenant'],
    ['route', `${route}&limit=abc`, 'limit'],
    ['route', `${route}&limit=0`, 'limit'],
    ['route', `${route}&limit=1001`, 'limit'],
    ['route', `${route}&limit=`, 'limit'],
    ['route', `${route}&cursor=not-a-cursor`, 'cursor'],
    ['route', `${route}&start_time=last-week`, 'start_time'],
    ['route', `${route}&start_time=2025-06-01T12:00:00Z&end_time=2025-06-01T11:00:00Z`, 'start_time'],
    ['route', `${route}&changed_by=`, 'changed_by'],
    ['route', `${route}&changed_by_key_id=a%20b`, 'changed_by_key_id'],
    ['recent', 'days=0', 'days'],
    ['recent', 'days=366', 'days'],
    ['recent', 'days=abc', 'days'],
    ['recent', 'days=1.5', 'days'],
    ['recent', 'limit=5&limit=6', 'limit'],
    ['recent', 'debug=1', 'debug'],
    ['recent', 'changed_by=a&changed_by=b', 'changed_by'],
    ['recent', 'changed_by=%7B%22%24ne%22%3Anull%7D', 'changed_by'],
    ['recent', 'correlation_id=a&correlation_id=b', 'correlation_id'],
    ['recent', 'correlation_id=%7B%22%24ne%22%3Anull%7D', 'correlation_id'],
    ['recent', `correlation_id=${'x'.repeat(129)}`, 'correlation_id'],
    ['action', 'tenant=t', 'action'],
    ['action', 'action=deleted', 'action'],
    ['action', 'action=created&hours=0', 'hours'],
    ['action', 'action=created&hours=8761', 'hours'],
    ['action', 'action=created&hours=abc', 'hours'],
    ['time-range', 'end_time=2025-06-01T12:00:00Z', 'start_time'],
    ['time-range', 'start_time=2025-06-01T11:00:00&end_time=2025-06-01T12:00:00Z', 'start_time'],
    ['time-range', 'start_time=2025-06-01T11:00:00Z&end_time=tomorrow', 'end_time'],
    ['time-range', 'start_time=2025-06-01T11:00:00+02:00&end_time=2025-06-01T12:00:00Z', 'start_time'],
    ['time-range', 'start_time=2025-06-01T12:00:00Z&end_time=2025-06-01T12:00:00Z', 'start_time'],
    ['time-range', 'start_time=2025-06-01T13:00:00Z&end_time=2025-06-01T12:00:00Z', 'start_time'],
    ['time-range', `${range}&action=removed`, 'action'],
    ['time-range', `${range}&limit=abc`, 'limit'],
  ])('GET /audit/%s?%s should be a 400 naming %s', async (endpoint, raw, field) => {
    const res = await api.http.get(`/api/v1/audit/${endpoint}?${raw}`);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('VALIDATION.FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(res.body.correlation_id).toBe(res.headers.get('x-correlation-id'));
  });

  it('should explain the expected format when a timestamp has no timezone', async () => {
    const res = await api.http.get('/api/v1/audit/time-range?start_time=2025-06-01T11:00:00&end_time=2025-06-01T12:00:00Z');

    expect(res.body.details).toEqual([{ field: 'start_time', problem: expect.stringContaining('with a timezone') }]);
  });

  it('should document every audit endpoint, parameter and error in OpenAPI', async () => {
    const { body } = await api.http.get('/docs/openapi.json');
    const params = (path: string) => body.paths[`/api/v1/audit/${path}`].get.parameters.map((p: { name: string }) => p.name).sort();
    const statuses = (path: string) => Object.keys(body.paths[`/api/v1/audit/${path}`].get.responses).sort();
    const common = ['X-Correlation-ID', 'changed_by', 'changed_by_key_id', 'correlation_id', 'cursor', 'limit'];

    expect(params('route')).toEqual([...common, 'end_time', 'env', 'service', 'start_time', 'tenant', 'version'].sort());
    expect(params('recent')).toEqual([...common, 'days', 'env', 'service', 'tenant'].sort());
    expect(params('action')).toEqual([...common, 'action', 'env', 'hours', 'service', 'tenant'].sort());
    expect(params('time-range')).toEqual([...common, 'action', 'end_time', 'env', 'service', 'start_time', 'tenant'].sort());
    for (const path of ['route', 'recent', 'action', 'time-range']) expect(statuses(path)).toEqual(['200', '400', '401', '403', '429', '503']);
  });
});
