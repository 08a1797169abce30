import { DomainError } from '../../common/errors/domain.error';

export class InvalidAuditCursorError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: cursor is not a cursor returned by this API', [{ field: 'cursor', problem: 'is not a cursor returned by this API' }]);
  }
}

export class InvalidTimeRangeError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: start_time must be before end_time', [{ field: 'start_time', problem: 'must be before end_time' }]);
  }
}

// Permanent: retrying the same event can never succeed, so a consumer should park it, not retry it.
export class InvalidAuditEventError extends DomainError {
  readonly code = 'AUDIT.INVALID_EVENT';

  constructor(problems: string[]) {
    super(`Route event cannot be audited: invalid or missing ${problems.join(', ')}`);
  }
}
