import { DomainError } from '../../common/errors/domain.error';

export class CircuitOpenError extends DomainError {
  readonly code = 'RESILIENCE.CIRCUIT_OPEN';
  override readonly transient = true;

  constructor(dependency: string) {
    super(`${dependency} is failing; requests to it are paused for a moment (circuit open)`);
  }
}

export class ServiceOverloadedError extends DomainError {
  readonly code = 'SERVICE.OVERLOADED';
  override readonly transient = true;

  constructor(operation: string) {
    super(`Too many ${operation} requests in progress; retry after Retry-After`);
  }
}

// One tenant's cache misses hold their share of the PostgreSQL pool and their queue is full: that
// tenant is told to come back; other tenants' misses still have theirs.
export class TenantOverloadedError extends DomainError {
  readonly code = 'SERVICE.OVERLOADED';
  override readonly transient = true;

  constructor(tenant: string) {
    super(`Too many of tenant ${tenant}'s resolves are waiting for PostgreSQL (cache misses); retry after Retry-After`, undefined, { tenant });
  }
}

export class ServiceDrainingError extends DomainError {
  readonly code = 'SERVICE.DRAINING';
  override readonly transient = true;

  constructor() {
    super('This instance is shutting down and takes no new work; retry on another instance');
  }
}
