import { ApiProperty } from '@nestjs/swagger';

// The seed's static probe (/health: "healthy") and liveness (/health/live: "alive").
export class ProbeResponseDto {
  @ApiProperty({ enum: ['healthy', 'alive'], example: 'alive' }) status: 'healthy' | 'alive';
  @ApiProperty({ example: 'traffic-manager' }) service: string;
}
