import { ApiProperty } from '@nestjs/swagger';
import { ROUTE_ACTIONS, RouteAction } from '../../../contracts/route-event';
import { AuditEventDto } from './audit-event.dto';
import { AuditPageDto } from './audit-page.dto';

export class ActionAuditResponseDto extends AuditPageDto {
  @ApiProperty({ enum: ROUTE_ACTIONS })
  action: RouteAction;

  @ApiProperty({ nullable: true, type: 'integer', example: 24, description: 'The window used, in hours; null when unlimited' })
  hours: number | null;

  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' })
  events: AuditEventDto[];
}
