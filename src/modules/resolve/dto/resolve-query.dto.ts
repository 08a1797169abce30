import { IsRouteName } from '../../../common/validation/route-name.decorator';

export class ResolveQueryDto {
  @IsRouteName('team-a', 'Tenant name')
  tenant: string;

  @IsRouteName('payments', 'Service name')
  service: string;

  @IsRouteName('prod', 'Environment name')
  env: string;

  @IsRouteName('v2', 'Version label')
  version: string;
}
