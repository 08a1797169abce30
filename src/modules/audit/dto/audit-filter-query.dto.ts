import { IsOptionalRouteName } from '../../../common/validation/route-name.decorator';
import { AuditPageQueryDto } from './audit-page-query.dto';

export class AuditFilterQueryDto extends AuditPageQueryDto {
  @IsOptionalRouteName('Only events of this tenant')
  tenant?: string;

  @IsOptionalRouteName('Only events of this service')
  service?: string;

  @IsOptionalRouteName('Only events of this environment')
  env?: string;
}
