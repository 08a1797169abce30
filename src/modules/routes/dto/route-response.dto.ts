import { ApiProperty } from '@nestjs/swagger';
import { RouteRecord } from '../../route-store';

export class RouteResponseDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: 'payments' }) service: string;
  @ApiProperty({ example: 'prod' }) env: string;
  @ApiProperty({ example: 'v2' }) version: string;
  @ApiProperty({ example: 'https://payments-v2.internal.example.com' }) url: string;
  @ApiProperty({ example: true }) is_active: boolean;
  @ApiProperty({ type: 'integer', example: 3, description: 'Increases with every change of this route' }) revision: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:05:00.000Z' }) updated_at: string;

  static from(record: RouteRecord): RouteResponseDto {
    return {
      tenant: record.tenant,
      service: record.service,
      env: record.env,
      version: record.version,
      url: record.url,
      is_active: record.isActive,
      revision: record.revision,
      created_at: record.createdAt.toISOString(),
      updated_at: record.updatedAt.toISOString(),
    };
  }
}
