import { resolvePath } from '../helpers/http';
import { routeOf, uniqueTenant } from '../helpers/names';
import { startApi, TestApp } from '../helpers/test-app';

// Conditional resolve: ETag carries the route's revision, If-None-Match gives 304 while it holds.
describe('Resolve with If-None-Match (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  const create = async (url: string) => {
    const route = routeOf(uniqueTenant('etag'));
    expect((await api.http.post('/api/v1/routes', { ...route, url })).status).toBe(201);
    return route;
  };

  it('should tag every answer with its revision and answer 304 with no body while the client has it, on a miss and on a memory hit', async () => {
    const route = await create('https://a.example.com');

    const cold = await api.http.get(resolvePath(route), { 'if-none-match': 'W/"1"' });
    const warm = await api.http.get(resolvePath(route), { 'if-none-match': '"1"' });
    const plain = await api.http.get(resolvePath(route));

    for (const res of [cold, warm]) {
      expect(res.status).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe('W/"1"');
      expect(res.headers.get('x-correlation-id')).toBeTruthy();
    }
    expect(plain.status).toBe(200);
    expect(plain.headers.get('etag')).toBe('W/"1"');
    expect(plain.body).toEqual({ ...route, url: 'https://a.example.com', revision: 1 });
  });

  it('should answer 200 with the new URL and tag once the route changed, and 404 once it is deactivated', async () => {
    const route = await create('https://a.example.com');
    expect((await api.http.get(resolvePath(route))).status).toBe(200);

    await api.http.post('/api/v1/routes', { ...route, url: 'https://b.example.com' });
    const changed = await api.http.get(resolvePath(route), { 'if-none-match': 'W/"1"' });
    await api.http.post('/api/v1/routes/deactivate', route);
    const gone = await api.http.get(resolvePath(route), { 'if-none-match': 'W/"2"' });
    const goneAny = await api.http.get(resolvePath(route), { 'if-none-match': '*' });

    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('W/"2"');
    expect(changed.body).toEqual({ ...route, url: 'https://b.example.com', revision: 2 });
    for (const res of [gone, goneAny]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('etag')).toBeNull();
      expect(res.body.error).toBe('ROUTE.NOT_FOUND');
    }
  });

  it('should answer 304 to "*" and to a list holding the current tag, 200 to a list without it', async () => {
    const route = await create('https://a.example.com');

    const any = await api.http.get(resolvePath(route), { 'if-none-match': '*' });
    const inList = await api.http.get(resolvePath(route), { 'if-none-match': 'W/"7", W/"1"' });
    const notInList = await api.http.get(resolvePath(route), { 'if-none-match': 'W/"7", W/"11"' });

    expect(any.status).toBe(304);
    expect(inList.status).toBe(304);
    expect(notInList.status).toBe(200);
  });

  it.each([['1'], ['W/"1" W/"2"'], ['w/"1"'], ['*, W/"1"'], ['W/"1']])(
    'should refuse If-None-Match %s with a JSON 400 naming the header',
    async (header) => {
      const route = await create('https://a.example.com');

      const res = await api.http.get(resolvePath(route), { 'if-none-match': header });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'VALIDATION.FAILED',
        message: expect.stringContaining('If-None-Match'),
        details: [{ field: 'If-None-Match', problem: expect.stringContaining('entity tags') }],
        correlation_id: res.headers.get('x-correlation-id'),
      });
    },
  );
});
