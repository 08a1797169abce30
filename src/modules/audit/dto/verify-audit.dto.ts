import { ApiProperty } from '@nestjs/swagger';
import { IsOptionalRouteName, IsRouteName } from '../../../common/validation/route-name.decorator';

export class VerifyAuditQueryDto {
  @IsRouteName('team-a', 'The tenant whose audit trail to verify')
  tenant: string;

  @IsOptionalRouteName('Only routes of this service')
  service?: string;

  @IsOptionalRouteName('Only routes of this environment')
  env?: string;

  @IsOptionalRouteName('Only this version (with service and env: one route)')
  version?: string;
}

export class BrokenLinkDto {
  @ApiProperty({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) event_id: string;
  @ApiProperty({ example: 'payments' }) service: string;
  @ApiProperty({ example: 'prod' }) env: string;
  @ApiProperty({ example: 'v2' }) version: string;
  @ApiProperty({ nullable: true, type: Number, example: 3 }) revision: number | null;
  @ApiProperty({
    enum: ['hash_mismatch', 'prev_mismatch', 'missing'],
    description:
      'hash_mismatch: this document was changed after it was written; prev_mismatch: a document before it was removed, added or moved; ' +
      'missing: PostgreSQL committed this change (its event_id, revision) more than AUDIT_VERIFY_GRACE_MS ago and the trail has no document of it',
  })
  problem: string;
}

export class AuditVerificationDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: true, description: 'Every chained document is intact and in place, and every settled committed change has its document' })
  ok: boolean;
  @ApiProperty({ example: 12 }) routes: number;
  @ApiProperty({ example: 240 }) documents: number;
  @ApiProperty({ example: 240 }) chained: number;
  @ApiProperty({
    example: 0,
    description: 'Documents outside the chains: written before chaining existed, or an event recorded after a later one of its route',
  })
  unchained: number;
  @ApiProperty({
    example: 0,
    description:
      "Changes in the routes' kept history (PostgreSQL) committed more than AUDIT_VERIFY_GRACE_MS ago that have no audit document: removed, or never recorded. Not checked when truncated",
  })
  missing: number;
  @ApiProperty({ example: 0, description: 'Problems found: broken links and missing documents' }) broken_total: number;
  @ApiProperty({ type: [BrokenLinkDto], description: 'The first 100 broken links' }) broken: BrokenLinkDto[];
  @ApiProperty({ example: false, description: 'The trail has more documents than one verification reads (200,000): narrow it by service or env' })
  truncated: boolean;
  @ApiProperty({ format: 'date-time' }) checked_at: string;
}
