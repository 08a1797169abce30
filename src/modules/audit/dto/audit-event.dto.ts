import { ApiProperty } from '@nestjs/swagger';
import { AuditEvent } from '../audit-event.schema';
import { AuditRouteEventDto } from './audit-route-event.dto';
import { AuditRouteKeyDto } from './audit-route-key.dto';

export class AuditEventDto extends AuditRouteEventDto {
  @ApiProperty({ type: AuditRouteKeyDto })
  route: AuditRouteKeyDto;

  static override from(doc: AuditEvent): AuditEventDto {
    const { event_id, action, ...rest } = AuditRouteEventDto.from(doc);
    const { tenant, service, env, version } = doc.route;
    return { event_id, action, route: { tenant, service, env, version }, ...rest };
  }
}
