// The four names that identify a route, validated the same way in bodies, queries and paths.
import { RouteKey } from '../../contracts/route-key';
import { HandValidated, validateByHand } from './hand-validators';
import { parseRouteKeyQuery } from './route-key-query';
import { IsRouteName } from './route-name.decorator';

export class RouteKeyDto {
  @IsRouteName('team-a', 'Tenant name')
  tenant: string;

  @IsRouteName('payments', 'Service name')
  service: string;

  @IsRouteName('prod', 'Environment name')
  env: string;

  @IsRouteName('v2', 'Version label')
  version: string;
}

// Activate and deactivate bodies and route paths, validated by hand (hand-validators.ts): by the
// global pipe for the Nest routes, directly by the route writes (write-routes.ts); the resolve route
// calls parseRouteKeyQuery itself.
export function parseRouteKeyBody(input: object): HandValidated<RouteKey> {
  const parsed = parseRouteKeyQuery(input);
  return parsed.details ? { details: parsed.details } : { value: parsed.key };
}

validateByHand(RouteKeyDto, parseRouteKeyBody);
