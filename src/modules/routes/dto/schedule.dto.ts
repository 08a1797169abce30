import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { HandValidated, validateByHand } from '../../../common/validation/hand-validators';
import { IsPageCursor, IsPageLimit } from '../../../common/validation/paging.decorator';
import { IsOptionalRouteName } from '../../../common/validation/route-name.decorator';
import { ChangesetChangeDto, ChangesetDto, ChangesetResultDto } from './changeset.dto';
import { parseScheduleBody, SCHEDULE_MAX_AHEAD_DAYS, SCHEDULE_MAX_APPROVALS } from './schedule-body';

export const SCHEDULE_STATUSES = ['pending', 'applied', 'failed', 'cancelled'] as const;

// The body is validated by hand (schedule-body.ts, built on the changeset's validator); the
// decorators describe it for OpenAPI. The validator's value is a ScheduleBody (parsed changes and
// time), which is what the controller receives in place of this class.
export class ScheduleChangesetDto extends ChangesetDto {
  @ApiProperty({
    example: '2026-12-24T02:00:00+01:00',
    format: 'date-time',
    description: `When to apply the changeset: a time with its zone, in the future, at most ${SCHEDULE_MAX_AHEAD_DAYS} days ahead`,
  })
  scheduled_at: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: SCHEDULE_MAX_APPROVALS,
    default: 0,
    description:
      'Four-eyes: approvals needed (POST /api/v1/schedules/{id}/approve, each by a different writer key, not the one that scheduled it) ' +
      'before scheduled_at; without them it fails at its time (SCHEDULE.NOT_APPROVED)',
  })
  approvals_required?: number;
}
validateByHand(ScheduleChangesetDto, (input) => parseScheduleBody(input) as unknown as HandValidated<ScheduleChangesetDto>);

export class ScheduleOutcomeDto {
  @ApiPropertyOptional({ type: [ChangesetResultDto], description: 'applied: one result per change, in the order of the request' })
  changes?: ChangesetResultDto[];

  @ApiPropertyOptional({ type: 'integer', example: 2 }) count?: number;

  @ApiPropertyOptional({ example: 'ROUTE.PRECONDITION_FAILED', description: 'failed: the error the changeset would have got' })
  error?: string;

  @ApiPropertyOptional({ example: 'team-a/payments/prod/v2 is at revision 4; the change required revision 3' }) message?: string;
}

export class ScheduleApprovalDto {
  @ApiProperty({ example: 'release-manager', description: 'The approving key' }) by: string;
  @ApiProperty({ example: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f' }) key_id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ScheduleResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ enum: SCHEDULE_STATUSES, example: 'pending' }) status: string;
  @ApiProperty({ format: 'date-time' }) scheduled_at: string;
  @ApiProperty({ type: [ChangesetChangeDto], description: 'The changes as accepted' }) changes: ChangesetChangeDto[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ example: 'ci-deployer', description: 'The key that scheduled it; its changes are made in its name' }) created_by: string;
  @ApiProperty({ example: '0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e' }) created_by_key_id: string;
  @ApiProperty({ type: 'string', nullable: true, description: "The scheduling request's correlation id, also on the changes' events" })
  correlation_id: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'When it was applied, failed or cancelled' })
  finished_at: string | null;
  @ApiProperty({ type: ScheduleOutcomeDto, nullable: true, description: 'applied: the results; failed: the error; else null' })
  outcome: ScheduleOutcomeDto | null;
  @ApiProperty({ type: 'string', nullable: true, example: null }) cancelled_by: string | null;
  @ApiProperty({ type: 'integer', example: 0 }) approvals_required: number;
  @ApiProperty({ type: [ScheduleApprovalDto] }) approvals: ScheduleApprovalDto[];
  @ApiProperty({ example: false, description: "Forced past the tenant's write-time interlock (with reason)" }) force: boolean;
  @ApiProperty({ type: 'string', nullable: true, example: null, description: 'Why it is forced; null when it is not' }) reason: string | null;
}

export class ScheduleListResponseDto {
  @ApiProperty({ type: [ScheduleResponseDto] }) schedules: ScheduleResponseDto[];
  @ApiProperty({ type: 'integer', example: 1 }) count: number;
  @ApiProperty({ type: 'string', nullable: true }) next_cursor: string | null;
}

export class ListSchedulesQueryDto {
  @IsOptionalRouteName('Only schedules of this tenant')
  tenant?: string;

  @ApiPropertyOptional({ enum: SCHEDULE_STATUSES })
  @IsOptional()
  @IsIn(SCHEDULE_STATUSES, { message: `must be one of ${SCHEDULE_STATUSES.join(', ')}` })
  status?: (typeof SCHEDULE_STATUSES)[number];

  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}

export class ScheduleIdParamDto {
  @ApiProperty({ format: 'uuid', example: '5b1e0f3e-8f0e-4a57-9d43-3c1b5c8f2a10' })
  @IsUUID('all', { message: 'must be a schedule id (a UUID)' })
  id: string;
}
