import { ApiProperty } from '@nestjs/swagger';
import { AuditEventDto } from './audit-event.dto';
import { AuditPageDto } from './audit-page.dto';

export class RecentAuditResponseDto extends AuditPageDto {
  @ApiProperty({ type: 'integer', example: 30, description: 'The window used, in days' })
  days: number;

  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' })
  events: AuditEventDto[];
}
