import { RouteAction } from '../../../contracts/route-event';
import { IsOptionalWholeNumber } from '../../../common/validation/paging.decorator';
import { IsRouteAction } from '../audit-query.decorator';
import { AuditFilterQueryDto } from './audit-filter-query.dto';

export class ActionAuditQueryDto extends AuditFilterQueryDto {
  @IsRouteAction(true, 'Only events with this action')
  action: RouteAction;

  @IsOptionalWholeNumber(1, 8760, 'Only events that occurred in the last this many hours (no time limit when absent)')
  hours?: number;
}
