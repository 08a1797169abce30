import { DomainError } from '../../common/errors/domain.error';

// 401: no key, or one that is unknown, malformed, expired or revoked. One message for all of them,
// so a caller cannot tell which (and so probe for valid key ids).
export class UnauthenticatedError extends DomainError {
  readonly code = 'AUTH.UNAUTHENTICATED';

  constructor() {
    super('A valid API key is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
  }
}

// 403: the key is valid but its role is too weak for the operation.
export class ForbiddenError extends DomainError {
  readonly code = 'AUTH.FORBIDDEN';

  constructor(needed: string, held: string) {
    super(`This operation needs the ${needed} role; the key has ${held}`);
  }
}

// 403 for a valid key whose tenant scope is too narrow for the operation (its role may be enough):
// a tenant key asking for a platform-wide view or for a key of another scope.
export class ScopeForbiddenError extends DomainError {
  readonly code = 'AUTH.FORBIDDEN';

  constructor(message: string) {
    super(message);
  }
}
