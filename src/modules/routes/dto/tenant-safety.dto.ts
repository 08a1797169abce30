import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { IsRouteName } from '../../../common/validation/route-name.decorator';

export class TenantParamDto {
  @IsRouteName('team-a', 'Tenant name')
  tenant: string;
}

export class UpdateTenantSafetyDto {
  @ApiProperty({
    example: true,
    description:
      "true: no change may leave one of the tenant's environments with no active version (409 ROUTE.LAST_ACTIVE_VERSION) " +
      'unless it is sent with "force": true and a "reason". false: deactivations are never refused (the default)',
  })
  @IsBoolean({ message: 'must be true or false' })
  protect_last_active: boolean;
}

export class TenantSafetyDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: true, description: 'The write-time interlock: see PUT' }) protect_last_active: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When protect_last_active last changed; null: never set' })
  updated_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'platform-admin', description: 'The key that last changed it' })
  updated_by: string | null;
  @ApiProperty({ type: String, nullable: true, example: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' })
  updated_by_key_id: string | null;
}
