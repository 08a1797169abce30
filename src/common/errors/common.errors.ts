import { DomainError, ErrorDetail } from './domain.error';

export class ValidationFailedError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor(details: ErrorDetail[]) {
    super(`Invalid request: ${details.map((d) => `${d.field} ${d.problem}`).join('; ')}`, details);
  }
}
