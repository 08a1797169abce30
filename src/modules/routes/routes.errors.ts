import { DomainError } from '../../common/errors/domain.error';
import { RouteKey, routeKeyPath } from '../../contracts/route-key';

export class RouteNotFoundError extends DomainError {
  readonly code = 'ROUTE.NOT_FOUND';

  constructor(key: RouteKey) {
    super(`No route found for ${routeKeyPath(key)}`);
  }
}

export class InvalidCursorError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: cursor is not a cursor returned by this API', [
      { field: 'cursor', problem: 'is not a cursor returned by this API' },
    ]);
  }
}
