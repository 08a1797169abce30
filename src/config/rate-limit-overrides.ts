import { ROUTE_NAME_PATTERN } from '../common/validation/route-name.decorator';

// RATE_LIMIT_TENANT_OVERRIDES: "<tenant>:<reads|writes>=<limit>" entries, comma-separated, e.g.
// "team-a:writes=100,team-a:reads=120000,team-b:writes=10". ":" cannot occur in a tenant name, so
// an entry splits one way only; one line per (tenant, class) keeps a ConfigMap value readable and
// diffable, which JSON in an environment variable is not.
export const LIMIT_CLASSES = ['reads', 'writes'] as const;
export type LimitClass = (typeof LIMIT_CLASSES)[number];

export interface TenantOverride {
  tenant: string;
  limitClass: LimitClass;
  limit: number;
}

export type OverridesParse = { overrides: TenantOverride[]; problem?: undefined } | { overrides?: undefined; problem: string };

// The tenant name rule of the API: an override for a name no request can carry would silently never apply.
const TENANT = ROUTE_NAME_PATTERN;
const ENTRY = /^([^:=]+):([^:=]+)=([^:=]+)$/;
export const MAX_OVERRIDE_LIMIT = 100_000_000;
const OVERRIDES_FORMAT = '<tenant>:<reads|writes>=<limit>, comma-separated (e.g. team-a:writes=100,team-b:reads=5000)';

export function parseTenantOverrides(text: string): OverridesParse {
  const overrides: TenantOverride[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    if (!match) return { problem: `"${entry}" is not ${OVERRIDES_FORMAT}` };
    const [, tenant, limitClass, limitText] = match.map((part) => part.trim());
    if (!TENANT.test(tenant) || /^\.+$/.test(tenant))
      return { problem: `"${entry}": the tenant must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"` };
    if (!(LIMIT_CLASSES as readonly string[]).includes(limitClass)) return { problem: `"${entry}": the class must be reads or writes` };
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_OVERRIDE_LIMIT) {
      return { problem: `"${entry}": the limit must be a whole number from 1 to ${MAX_OVERRIDE_LIMIT}` };
    }
    const id = `${tenant}:${limitClass}`;
    if (seen.has(id)) return { problem: `"${id}" is given twice` };
    seen.add(id);
    overrides.push({ tenant, limitClass: limitClass as LimitClass, limit });
  }
  return { overrides };
}
