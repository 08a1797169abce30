import { IsKeyName, IsKeyRole, IsOptionalExpiry, IsOptionalKeyTenant } from './key-fields.decorator';

export class CreateKeyDto {
  @IsKeyName()
  name: string;

  @IsOptionalKeyTenant(
    'The tenant the key may see and change, or "*" for every tenant (platform admins only). ' +
      "Absent: the caller's own tenant (required from platform keys, so a platform key is never created by omission)",
  )
  tenant?: string;

  @IsKeyRole()
  role: string;

  @IsOptionalExpiry()
  expires_at?: string;
}
