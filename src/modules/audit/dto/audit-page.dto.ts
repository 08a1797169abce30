import { ApiProperty } from '@nestjs/swagger';

export class AuditPageDto {
  @ApiProperty({ type: 'integer', example: 2, description: 'Number of events in this page' })
  count: number;

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` to get the next page; null on the last page' })
  next_cursor: string | null;
}
