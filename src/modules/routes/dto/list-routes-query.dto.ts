import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'must be an integer between 1 and 1000' })
  @Min(1, { message: 'must be an integer between 1 and 1000' })
  @Max(1000, { message: 'must be an integer between 1 and 1000' })
  limit?: number;

  @ApiPropertyOptional({ description: 'The next_cursor of the previous page' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(64, { message: 'is not a cursor returned by this API' })
  cursor?: string;
}
