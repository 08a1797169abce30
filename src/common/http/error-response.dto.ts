import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'tenant' }) field: string;
  @ApiProperty({ example: 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"' }) problem: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 'VALIDATION.FAILED', description: 'Stable machine-readable code (AREA.REASON)' })
  error: string;

  @ApiProperty({ example: 'Invalid request: tenant is required' })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Present for VALIDATION.FAILED' })
  details?: ErrorDetailDto[];

  @ApiProperty({ example: '5f0c7a4e-2b1d-4a55-9a0e-3c1f7d9b8e21', nullable: true })
  correlation_id: string | null;
}
