import { ApiProperty } from '@nestjs/swagger';
import { RouteResponseDto } from './route-response.dto';

export class RouteListResponseDto {
  @ApiProperty({ type: [RouteResponseDto] })
  routes: RouteResponseDto[];

  @ApiProperty({ type: 'integer', example: 2, description: 'Number of routes in this page' })
  count: number;

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` to get the next page; null on the last page' })
  next_cursor: string | null;
}
