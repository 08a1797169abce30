import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../../../contracts/principal';
import { ApiKeyRecord } from '../api-keys.repository';

// "*" stands for every tenant (a platform key) in requests and answers alike.
export const ALL_TENANTS_MARK = '*';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

// A key as listed: never its secret, nor the hash of it.
export class KeyResponseDto {
  @ApiProperty({ example: '0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e' }) id: string;
  @ApiProperty({ example: 'ci-deployer', description: 'Unique within its tenant; appears as changed_by in events and the audit trail' })
  name: string;
  @ApiProperty({ example: 'team-a', description: 'The tenant the key is bound to; "*" for a platform key (every tenant)' }) tenant: string;
  @ApiProperty({ enum: ROLES, example: 'writer' }) role: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: 'bootstrap-admin', description: 'Name of the key that created this one' }) created_by: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'Null: never expires' }) expires_at: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-21T10:05:00.000Z',
    description: 'Last successful use, recorded at most once a minute per key and API instance',
  })
  last_used_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'Set once the key is revoked' }) revoked_at:
    string | null;

  static from(record: ApiKeyRecord): KeyResponseDto {
    return {
      id: record.id,
      name: record.name,
      tenant: record.tenant ?? ALL_TENANTS_MARK,
      role: record.role,
      created_at: record.createdAt.toISOString(),
      created_by: record.createdBy,
      expires_at: iso(record.expiresAt),
      last_used_at: iso(record.lastUsedAt),
      revoked_at: iso(record.revokedAt),
    };
  }
}
