import { IsOptionalRouteName } from '../../../common/validation/route-name.decorator';
import { AuditAuthorQueryDto } from './audit-author-query.dto';

export class AuditFilterQueryDto extends AuditAuthorQueryDto {
  @IsOptionalRouteName('Only events of this tenant')
  tenant?: string;

  @IsOptionalRouteName('Only events of this service')
  service?: string;

  @IsOptionalRouteName('Only events of this environment')
  env?: string;
}
