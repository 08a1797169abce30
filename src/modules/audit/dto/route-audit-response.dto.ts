import { ApiProperty } from '@nestjs/swagger';
import { AuditPageDto } from './audit-page.dto';
import { AuditRouteEventDto } from './audit-route-event.dto';
import { AuditRouteKeyDto } from './audit-route-key.dto';

export class RouteAuditResponseDto extends AuditPageDto {
  @ApiProperty({ type: AuditRouteKeyDto })
  route: AuditRouteKeyDto;

  @ApiProperty({ type: [AuditRouteEventDto], description: 'Newest first' })
  events: AuditRouteEventDto[];
}
