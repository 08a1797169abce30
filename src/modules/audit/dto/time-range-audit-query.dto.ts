import { RouteAction } from '../../../contracts/route-event';
import { IsRouteAction, IsZonedTimestamp } from '../audit-query.decorator';
import { AuditFilterQueryDto } from './audit-filter-query.dto';

export class TimeRangeAuditQueryDto extends AuditFilterQueryDto {
  @IsZonedTimestamp('2026-01-14T17:00:00Z', 'Earliest occurred_at included; must be before end_time')
  start_time: Date;

  @IsZonedTimestamp('2026-01-14T18:00:00Z', 'Latest occurred_at included')
  end_time: Date;

  @IsRouteAction(false, 'Only events with this action')
  action?: RouteAction;
}
