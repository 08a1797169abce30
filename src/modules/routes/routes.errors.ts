import { DomainError } from '../../common/errors/domain.error';
import { RouteKey, routeKeyPath } from '../../contracts/route-key';

export class RouteNotFoundError extends DomainError {
  readonly code = 'ROUTE.NOT_FOUND';

  constructor(key: RouteKey) {
    // The seed's 404 named the route in tenant/service/env/version fields; clients may read them.
    super(`No route found for ${routeKeyPath(key)}`, undefined, { tenant: key.tenant, service: key.service, env: key.env, version: key.version });
  }
}

export class InvalidCursorError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: cursor is not a cursor returned by this API', [{ field: 'cursor', problem: 'is not a cursor returned by this API' }]);
  }
}
