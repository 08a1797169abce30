import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ResolvedRouteResponseDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: 'payments' }) service: string;
  @ApiProperty({ example: 'prod' }) env: string;
  @ApiProperty({ example: 'v2' }) version: string;
  @ApiProperty({ example: 'https://payments-v2.internal.example.com' }) url: string;
  @ApiProperty({ type: 'integer', example: 3, description: 'Revision of the route this answer reflects' }) revision: number;

  @ApiPropertyOptional({
    enum: ['cache_fallback'],
    description: "Only when PostgreSQL could not be asked and the answer is this instance's last known value (also X-Cache-Fallback: true)",
  })
  source?: 'cache_fallback';
}
