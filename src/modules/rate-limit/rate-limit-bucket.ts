import { FastifyRequest } from 'fastify';
import { LimitClass } from '../../config/rate-limit-overrides';
import { Principal } from '../../contracts/principal';
import { ROUTE_NAME_PATTERN } from '../../common/validation/route-name.decorator';
import { SHARED_BUCKET } from './rate-limit.constants';

// Which tenant's budget a request spends. A tenant key always spends its own tenant's: another
// tenant's routes do not exist for it (404), and it must not be able to exhaust another tenant's
// budget by addressing it. A platform key spends the budget of the tenant it addresses, or the
// shared bucket when it addresses none (listing every tenant, managing platform keys).
export function bucketFor(principal: Principal | undefined, addressed: string | undefined): string {
  if (principal?.tenant) return principal.tenant;
  return addressed ?? SHARED_BUCKET;
}

type Fields = Record<string, unknown> | null | undefined;

// The tenant named in the path, query or JSON body, as the validation pipe will see it (trimmed);
// a value that is not a tenant name gets a 400 from the pipe and counts in the shared bucket here.
export function addressedTenant(request: FastifyRequest): string | undefined {
  for (const source of [request.params, request.query, request.body] as Fields[]) {
    const value = typeof source === 'object' && source !== null ? source.tenant : undefined;
    if (typeof value !== 'string') continue;
    const tenant = value.trim();
    if (ROUTE_NAME_PATTERN.test(tenant)) return tenant;
  }
  return undefined;
}

// Only the API is limited (not /health, /metrics or /docs): reads are GET, every other method
// changes something.
export function limitClassOf(request: FastifyRequest): LimitClass | undefined {
  const url = request.routeOptions.url;
  if (url === undefined || !url.startsWith('/api/')) return undefined;
  return request.method === 'GET' || request.method === 'HEAD' ? 'reads' : 'writes';
}
