// The four names that identify a route, validated the same way in bodies, queries and paths.
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
