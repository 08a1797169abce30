import { DomainError } from '../../common/errors/domain.error';

// No such key, or one outside the caller's tenant (the same answer, so key ids of other tenants do
// not leak).
export class KeyNotFoundError extends DomainError {
  readonly code = 'KEY.NOT_FOUND';

  constructor(id: string) {
    super(`No API key ${id}`);
  }
}

export class KeyNameTakenError extends DomainError {
  readonly code = 'KEY.ALREADY_EXISTS';

  constructor(name: string) {
    super(`An API key named ${name} already exists in this scope (revoked keys keep their names, so the audit trail names one key)`);
  }
}

export class InvalidKeyCursorError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: cursor is not a cursor returned by this API', [{ field: 'cursor', problem: 'is not a cursor returned by this API' }]);
  }
}
