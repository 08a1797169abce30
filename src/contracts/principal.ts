// Who is calling: the API key a request was authenticated with. Set on the Fastify request
// (`request.principal`) by authentication, read by controllers through @Caller() / @CallerScope().
export const ROLES = ['reader', 'writer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// reader: resolve, list, get, audit; writer: + create/activate/deactivate; admin: + key management.
const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2 };

export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export interface Principal {
  // api_keys.id (a UUID), or a fixed id for the configured bootstrap key
  keyId: string;
  keyName: string;
  // null: every tenant (a platform key)
  tenant: string | null;
  role: Role;
}

// A key's name: what events and audit documents show as changed_by, and what the audit filter accepts.
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
export const KEY_NAME_PROBLEM = 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_", "@" or "-", starting with a letter or digit';

// The tenants a caller may see or change. Every tenant-owned read or write in a repository takes
// one, so a query cannot forget it.
export interface TenantScope {
  // null: every tenant
  readonly tenant: string | null;
}

export const ALL_TENANTS: TenantScope = Object.freeze({ tenant: null });

export function scopeOf(principal: Principal): TenantScope {
  return principal.tenant === null ? ALL_TENANTS : { tenant: principal.tenant };
}

export function inScope(scope: TenantScope, tenant: string): boolean {
  return scope.tenant === null || scope.tenant === tenant;
}

// "<key name>" and the key id travel in events and audit documents as changed_by / changed_by_key_id.
export interface ChangedBy {
  changed_by: string | null;
  changed_by_key_id: string | null;
}

export function changedByOf(principal: Principal | undefined): ChangedBy {
  return principal ? { changed_by: principal.keyName, changed_by_key_id: principal.keyId } : { changed_by: null, changed_by_key_id: null };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
