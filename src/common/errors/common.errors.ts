import { DomainError, ErrorDetail } from './domain.error';

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor(details: ErrorDetail[]) {
    super(`Invalid request: ${details.map((d) => `${d.field} ${d.problem}`).join('; ')}`, details);
  }
}

export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY.UNAVAILABLE';

  constructor(dependency: string) {
    super(`${dependency} is unavailable; please retry shortly`);
  }
}
