import { IsRouteName } from '../../../common/validation/route-name.decorator';
import { AuditPageQueryDto } from './audit-page-query.dto';

export class RouteAuditQueryDto extends AuditPageQueryDto {
  @IsRouteName('team-a', 'Tenant name')
  tenant: string;

  @IsRouteName('payments', 'Service name')
  service: string;

  @IsRouteName('prod', 'Environment name')
  env: string;

  @IsRouteName('v2', 'Version label')
  version: string;
}
