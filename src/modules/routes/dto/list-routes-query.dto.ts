import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { IsPageCursor, IsPageLimit } from '../../../common/validation/paging.decorator';
import { IsOptionalRouteName } from '../../../common/validation/route-name.decorator';

export class ListRoutesQueryDto {
  @IsOptionalRouteName('Only routes of this tenant')
  tenant?: string;

  @IsOptionalRouteName('Only routes of this service')
  service?: string;

  @IsOptionalRouteName('Only routes of this environment')
  env?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only active (true) or inactive (false) routes' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'must be "true" or "false"' })
  active?: boolean;

  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}
