import { DomainError } from '../../common/errors/domain.error';
import { RouteKey, routeKeyPath } from '../../contracts/route-key';

// Same code as the write side's: clients see one ROUTE.NOT_FOUND whether the route is missing or inactive.
export class ActiveRouteNotFoundError extends DomainError {
  readonly code = 'ROUTE.NOT_FOUND';

  constructor(key: RouteKey) {
    super(`No active route found for ${routeKeyPath(key)}`);
  }
}
