export interface RouteKey {
  tenant: string;
  service: string;
  env: string;
  version: string;
}

// Names are restricted to [A-Za-z0-9._-], so ':' can join them without ambiguity (the seed allowed
// ':' in names, which made two different routes share a cache key).
export function routeKeyString(key: RouteKey): string {
  return `${key.tenant}:${key.service}:${key.env}:${key.version}`;
}

export function routeKeyPath(key: RouteKey): string {
  return `${key.tenant}/${key.service}/${key.env}/${key.version}`;
}
