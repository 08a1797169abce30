import { randomBytes } from 'crypto';

// Each test owns its tenant, so suites never see (or truncate) each other's data.
export function uniqueTenant(prefix = 'tenant'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function routeOf(tenant: string, version = 'v1') {
  return { tenant, service: 'payments', env: 'prod', version };
}
