// The four names that identify a route, validated the same way in bodies, queries and paths.
import { validateByHand } from './hand-validators';
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

// Activate and deactivate bodies and route paths: validated by hand (hand-validators.ts); the resolve
// route calls the same function directly.
validateByHand(RouteKeyDto, (input) => {
  const parsed = parseRouteKeyQuery(input);
  return parsed.details ? { details: parsed.details } : { value: parsed.key };
});
