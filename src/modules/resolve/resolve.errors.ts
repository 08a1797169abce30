import { DomainError } from '../../common/errors/domain.error';
import { RouteKey, routeKeyPath } from '../../contracts/route-key';

// Same code as the write side's: clients see one ROUTE.NOT_FOUND whether the route is missing or inactive.
export class ActiveRouteNotFoundError extends DomainError {
  readonly code = 'ROUTE.NOT_FOUND';

  constructor(key: RouteKey) {
    // The seed's 404 named the route in tenant/service/env/version fields; clients may read them.
    super(`No active route found for ${routeKeyPath(key)}`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
    });
  }
}

// X-Min-Revision asked for a revision PostgreSQL (the truth) does not have: it was never committed,
// so waiting will not bring it. 409, naming the route and its current revision.
export class RevisionNotCommittedError extends DomainError {
  readonly code = 'ROUTE.REVISION_CONFLICT';

  constructor(key: RouteKey, asked: number, current: number) {
    super(`${routeKeyPath(key)} is at revision ${current}; revision ${asked} has not been committed`, undefined, {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
    });
  }
}
