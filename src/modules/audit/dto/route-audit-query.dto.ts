import { IntersectionType } from '@nestjs/swagger';
import { RouteKeyDto } from '../../../common/validation/route-key.dto';
import { IsZonedTimestamp } from '../audit-query.decorator';
import { AuditAuthorQueryDto } from './audit-author-query.dto';

export class RouteAuditQueryDto extends IntersectionType(RouteKeyDto, AuditAuthorQueryDto) {
  @IsZonedTimestamp('2026-11-23T00:00:00Z', 'Only events that occurred at or after this instant; must be before end_time', false)
  start_time?: Date;

  @IsZonedTimestamp('2026-11-30T00:00:00Z', 'Only events that occurred at or before this instant', false)
  end_time?: Date;
}
