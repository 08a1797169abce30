import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'tenant', description: 'The offending field (dotted for nested fields, "body" for the body itself)' })
  field: string;

  @ApiProperty({ example: 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"' })
  problem: string;
}

// The error contract of every endpoint (docs/design.md): a stable code, a human message, the
// offending fields for validation errors, and the request's correlation id.
export class ErrorResponseDto {
  @ApiProperty({ example: 'VALIDATION.FAILED', description: 'Stable machine-readable code (AREA.REASON)' })
  error: string;

  @ApiProperty({ example: 'Invalid request: tenant is required' })
  message: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Present for VALIDATION.FAILED' })
  details?: ErrorDetailDto[];

  @ApiPropertyOptional({
    example: 'team-a',
    description: 'ROUTE.NOT_FOUND, ROUTE.REVISION_CONFLICT, ROUTE.REVISION_NOT_FOUND and ROUTE.PRECONDITION_FAILED only: the route concerned',
  })
  tenant?: string;

  @ApiPropertyOptional({ example: 'payments', description: 'ROUTE.* only' })
  service?: string;

  @ApiPropertyOptional({ example: 'prod', description: 'ROUTE.* only' })
  env?: string;

  @ApiPropertyOptional({ example: 'v2', description: 'ROUTE.* only' })
  version?: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 4,
    description: "ROUTE.PRECONDITION_FAILED and ROUTE.REVISION_NOT_FOUND only: the route's revision now (null: it does not exist)",
  })
  current_revision?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 2,
    description: 'ROUTE.REVISION_NOT_FOUND only: the oldest revision the route still keeps (null: none)',
  })
  oldest_revision?: number | null;

  @ApiPropertyOptional({
    type: Number,
    example: 1,
    description: 'POST /api/v1/routes/changeset only: the change (its index in `changes`) that stopped the changeset; nothing was written',
  })
  change_index?: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '5f0c7a4e-2b1d-4a55-9a0e-3c1f7d9b8e21',
    description: 'The X-Correlation-ID of the request, also echoed in the response header',
  })
  correlation_id: string | null;
}
