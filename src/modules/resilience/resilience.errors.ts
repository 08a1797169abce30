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

export class ServiceDrainingError extends DomainError {
  readonly code = 'SERVICE.DRAINING';
  override readonly transient = true;

  constructor() {
    super('This instance is shutting down and takes no new work; retry on another instance');
  }
}
