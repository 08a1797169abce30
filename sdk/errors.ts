import { RouteKey } from './route-table';

// Errors the client throws. `code` is the server's error code where the server gave one.
export class TrafficManagerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

// No active route for the key (the server's 404 ROUTE.NOT_FOUND, or a cached answer of it).
export class RouteNotFoundError extends TrafficManagerError {
  constructor(
    readonly key: RouteKey,
    readonly origin: 'server' | 'memory' | 'stale' | 'preserved',
  ) {
    super(`No active route found for ${key.tenant}/${key.service}/${key.env}/${key.version}`, 'ROUTE.NOT_FOUND', 404);
  }
}

// Traffic Manager could not answer (unreachable, timed out, 5xx, 429, or the client's breaker is
// open) and nothing usable was held for the key.
export class TrafficManagerUnavailableError extends TrafficManagerError {
  constructor(message: string, status?: number, code = 'CLIENT.UNAVAILABLE') {
    super(message, code, status);
  }
}
