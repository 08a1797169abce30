import { ApiProperty } from '@nestjs/swagger';
import { AuditEventDto } from './audit-event.dto';
import { AuditPageDto } from './audit-page.dto';

export class TimeRangeAuditResponseDto extends AuditPageDto {
  @ApiProperty({ format: 'date-time', example: '2026-01-14T17:00:00.000Z', description: 'start_time as understood, in UTC' })
  start_time: string;

  @ApiProperty({ format: 'date-time', example: '2026-01-14T18:00:00.000Z', description: 'end_time as understood, in UTC' })
  end_time: string;

  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' })
  events: AuditEventDto[];
}
