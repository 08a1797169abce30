import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { Principal, TenantScope } from '../../contracts/principal';
import { Caller, CallerScope } from '../auth';
import { BulkheadInterceptor, DrainInterceptor, OperationClass } from '../resilience';
import { ScheduleBody } from './dto/schedule-body';
import { ListSchedulesQueryDto, ScheduleChangesetDto, ScheduleIdParamDto, ScheduleListResponseDto, ScheduleResponseDto } from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';

const DEFAULT_PAGE_SIZE = 100;

// Scheduled changesets: a changeset (POST /api/v1/routes/changeset) to apply at a given time.
// Reads need a reader key, scheduling and cancelling a writer key; all are tenant-scoped.
@ApiTags('schedules')
@Controller('api/v1/schedules')
@UseInterceptors(DrainInterceptor, BulkheadInterceptor)
@OperationClass('audit')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @OperationClass('writes')
  @ApiOperation({
    summary: 'Schedule a changeset',
    description:
      'The body of POST /api/v1/routes/changeset plus scheduled_at. The changes are validated now and applied at that time ' +
      '(within about a second) in one transaction, all or none, in the name of the key that scheduled them and with this ' +
      "request's correlation id on their events. A change that cannot apply then (a precondition, a missing route or " +
      'revision) fails the whole schedule, recorded in its outcome; so does a key revoked or expired in between.',
  })
  @ApiCreatedResponse({ type: ScheduleResponseDto, description: 'Scheduled (status pending)' })
  @ApiErrors(400, 404, 413, 415, 503)
  async schedule(@Caller() caller: Principal, @Body() body: ScheduleChangesetDto): Promise<ScheduleResponseDto> {
    // The hand validator (schedule-body.ts) hands over the parsed body, not the DTO's shape.
    return this.schedules.schedule(caller, body as unknown as ScheduleBody);
  }

  @Get()
  @ApiOperation({ summary: 'List scheduled changesets, latest scheduled time first, with cursor pagination' })
  @ApiOkResponse({ type: ScheduleListResponseDto })
  @ApiErrors(400, 503)
  list(@CallerScope() scope: TenantScope, @Query() query: ListSchedulesQueryDto): Promise<ScheduleListResponseDto> {
    return this.schedules.list(scope, { tenant: query.tenant, status: query.status, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One scheduled changeset: its status and, once it has run, its outcome' })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiErrors(400, 404, 503)
  get(@CallerScope() scope: TenantScope, @Param() params: ScheduleIdParamDto): Promise<ScheduleResponseDto> {
    return this.schedules.get(scope, params.id);
  }

  @Post(':id/approve')
  @OperationClass('writes')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Approve a pending scheduled changeset (four-eyes)',
    description:
      'One approval per key; the key that scheduled it cannot approve it. A schedule with approvals_required > 0 applies at its ' +
      'time only with that many approvals by keys still valid then; otherwise it fails (SCHEDULE.NOT_APPROVED).',
  })
  @ApiOkResponse({ type: ScheduleResponseDto, description: 'The schedule with the approval added' })
  @ApiResponse({
    status: HttpStatus.CONFLICT,
    description: 'SCHEDULE.APPROVAL_CONFLICT (own schedule, already approved, none needed) or SCHEDULE.STATUS_CONFLICT (not pending)',
    type: ErrorResponseDto,
  })
  @ApiErrors(400, 404, 503)
  approve(@Caller() caller: Principal, @Param() params: ScheduleIdParamDto): Promise<ScheduleResponseDto> {
    return this.schedules.approve(caller, params.id);
  }

  @Post(':id/cancel')
  @OperationClass('writes')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a pending scheduled changeset' })
  @ApiOkResponse({ type: ScheduleResponseDto, description: 'Cancelled' })
  @ApiResponse({
    status: HttpStatus.CONFLICT,
    description: 'SCHEDULE.STATUS_CONFLICT: it has already been applied, failed or cancelled',
    type: ErrorResponseDto,
  })
  @ApiErrors(400, 404, 503)
  cancel(@Caller() caller: Principal, @Param() params: ScheduleIdParamDto): Promise<ScheduleResponseDto> {
    return this.schedules.cancel(caller, params.id);
  }
}
