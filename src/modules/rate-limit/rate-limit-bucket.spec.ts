import { FastifyRequest } from 'fastify';
import { Principal } from '../../contracts/principal';
import { addressedTenant, bucketFor, limitClassOf } from './rate-limit-bucket';
import { SHARED_BUCKET } from './rate-limit.constants';

const key = (tenant: string | null): Principal => ({ keyId: 'k', keyName: 'n', tenant, role: 'writer' });
const request = (parts: Partial<Pick<FastifyRequest, 'params' | 'query' | 'body' | 'method'>> & { url?: string }) =>
  ({ params: {}, query: {}, body: undefined, method: 'GET', ...parts, routeOptions: { url: parts.url } }) as unknown as FastifyRequest;

describe(bucketFor.name, () => {
  it('should count a tenant key against its own tenant, whatever it addresses', () => {
    expect(bucketFor(key('team-a'), 'team-b')).toBe('team-a');
    expect(bucketFor(key('team-a'), undefined)).toBe('team-a');
  });

  it('should count a platform key against the tenant it addresses, else the shared bucket', () => {
    expect(bucketFor(key(null), 'team-b')).toBe('team-b');
    expect(bucketFor(key(null), undefined)).toBe(SHARED_BUCKET);
    expect(bucketFor(undefined, undefined)).toBe(SHARED_BUCKET);
  });
});

describe(addressedTenant.name, () => {
  it('should take the tenant from the path, the query or the JSON body, trimmed', () => {
    expect(addressedTenant(request({ params: { tenant: 'team-a' } }))).toBe('team-a');
    expect(addressedTenant(request({ query: { tenant: ' team-b ' } }))).toBe('team-b');
    expect(addressedTenant(request({ body: { tenant: 'team-c', url: 'https://x' } }))).toBe('team-c');
  });

  it.each([
    ['no tenant', {}],
    ['a body that is not an object', { body: 'team-a' }],
    ['a null body', { body: null }],
    ['a tenant that is not a string', { body: { tenant: ['team-a'] } }],
    ['a tenant the API would refuse', { query: { tenant: 'team a/../b' } }],
    ['the platform scope of a new key', { body: { tenant: '*' } }],
  ])('should find none in %s', (_name, parts) => {
    expect(addressedTenant(request(parts as Parameters<typeof request>[0]))).toBeUndefined();
  });
});

describe(limitClassOf.name, () => {
  it.each([
    ['GET', '/api/v1/routes', 'reads'],
    ['GET', '/api/v1/routes/resolve', 'reads'],
    ['HEAD', '/api/v1/audit/recent', 'reads'],
    ['POST', '/api/v1/routes/activate', 'writes'],
    ['DELETE', '/api/v1/keys/:id', 'writes'],
    ['GET', '/health/live', undefined],
    ['GET', '/metrics', undefined],
    ['GET', '/docs/*', undefined],
    ['GET', undefined, undefined],
  ])('should class %s %s as %s', (method, url, expected) => {
    expect(limitClassOf(request({ method, url }))).toBe(expected);
  });
});
