import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { KEY_NAME_PATTERN as KEY_NAME, KEY_NAME_PROBLEM, ROLES } from '../../../contracts/principal';

// A tenant name (the route name rule, not dots only) or "*" (every tenant).
const KEY_TENANT = /^(\*|(?!\.+$)[A-Za-z0-9._-]{1,128})$/;
const KEY_TENANT_PROBLEM = 'must be "*" (every tenant) or 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"';
const ZONE = /([Zz]|[+-]\d{2}:\d{2})$/;
const ZONED_PROBLEM = 'must be an ISO 8601 timestamp with a timezone, e.g. 2027-01-01T00:00:00Z';

export function IsKeyName() {
  return applyDecorators(
    ApiProperty({ example: 'ci-deployer', pattern: KEY_NAME.source, description: 'Unique within the tenant (or among platform keys)' }),
    IsDefined({ message: 'is required' }),
    IsString({ message: 'must be a string' }),
    Matches(KEY_NAME, { message: KEY_NAME_PROBLEM }),
  );
}

export function IsOptionalKeyTenant(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ example: 'team-a', pattern: KEY_TENANT.source, description }),
    IsOptional(),
    IsString({ message: 'must be a string' }),
    Matches(KEY_TENANT, { message: KEY_TENANT_PROBLEM }),
  );
}

export function IsKeyRole() {
  return applyDecorators(
    ApiProperty({ enum: ROLES, example: 'writer', description: 'reader: resolve, list, get, audit; writer: + route changes; admin: + keys' }),
    IsDefined({ message: 'is required' }),
    IsIn(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
  );
}

export function IsOptionalExpiry() {
  return applyDecorators(
    ApiPropertyOptional({
      format: 'date-time',
      example: '2027-01-01T00:00:00Z',
      description: 'When the key stops working; in the future. Absent: never',
    }),
    IsOptional(),
    IsString({ message: ZONED_PROBLEM }),
    IsISO8601({ strict: true, strictSeparator: true }, { message: ZONED_PROBLEM }),
    Matches(ZONE, { message: ZONED_PROBLEM }),
  );
}
