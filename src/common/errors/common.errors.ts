import { DomainError, ErrorDetail } from './domain.error';

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor(details: ErrorDetail[]) {
    super(`Invalid request: ${details.map((d) => `${d.field} ${d.problem}`).join('; ')}`, details);
  }
}

export class MissingHostError extends DomainError {
  readonly code = 'REQUEST.INVALID';

  constructor() {
    super('The Host header is required in HTTP/1.1');
  }
}

// A request that reaches an instance after it began to shut down; another instance can take it.
export class ShuttingDownError extends DomainError {
  readonly code = 'SERVER.SHUTTING_DOWN';

  constructor() {
    super('This instance is shutting down; retry the request');
  }
}
