import { ApiProperty } from '@nestjs/swagger';

export class AuditRouteKeyDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: 'payments' }) service: string;
  @ApiProperty({ example: 'prod' }) env: string;
  @ApiProperty({ example: 'v2' }) version: string;
}
