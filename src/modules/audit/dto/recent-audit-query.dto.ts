import { IsOptionalWholeNumber } from '../../../common/validation/paging.decorator';
import { AuditFilterQueryDto } from './audit-filter-query.dto';

export class RecentAuditQueryDto extends AuditFilterQueryDto {
  @IsOptionalWholeNumber(1, 365, 'Only events that occurred in the last this many days', 30)
  days?: number;
}
