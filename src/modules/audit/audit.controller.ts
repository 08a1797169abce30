import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { TenantScope } from '../../contracts/principal';
import { CallerScope } from '../auth';
import { AuditAuthorQueryDto } from './dto/audit-author-query.dto';
import { ActionAuditQueryDto } from './dto/action-audit-query.dto';
import { ActionAuditResponseDto } from './dto/action-audit-response.dto';
import { AuditEventDto } from './dto/audit-event.dto';
import { AuditFilterQueryDto } from './dto/audit-filter-query.dto';
import { AuditRouteEventDto } from './dto/audit-route-event.dto';
import { RecentAuditQueryDto } from './dto/recent-audit-query.dto';
import { RecentAuditResponseDto } from './dto/recent-audit-response.dto';
import { RouteAuditQueryDto } from './dto/route-audit-query.dto';
import { RouteAuditResponseDto } from './dto/route-audit-response.dto';
import { TimeRangeAuditQueryDto } from './dto/time-range-audit-query.dto';
import { TimeRangeAuditResponseDto } from './dto/time-range-audit-response.dto';
import { AuditService, AuthorFilter, EventFilter, PageRequest } from './audit.service';
import { AuditVerificationDto, VerifyAuditQueryDto } from './dto/verify-audit.dto';
import { BulkheadInterceptor } from '../resilience';
import { DrainInterceptor } from '../resilience';
import { OperationClass } from '../resilience';

const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_DAYS = 30;
const ORDER = 'Newest first (occurred_at, then event_id, descending); `limit` events per page, `next_cursor` for the next one.';
const SCOPE = "Only events of the key's tenant: filters naming another tenant match nothing.";

@ApiTags('audit')
@Controller('api/v1/audit')
@UseInterceptors(DrainInterceptor, BulkheadInterceptor)
@OperationClass('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  @ApiOperation({
    summary: "Verify a tenant's audit trail against tampering",
    description:
      "Each route's audit documents form a SHA-256 hash chain in revision order. This walks the tenant's chains (or one " +
      'service, env or route) and reports documents changed after they were written (hash_mismatch) and documents removed, added ' +
      "or moved (prev_mismatch, on the document after the gap); then, against the routes' history in PostgreSQL, changes committed " +
      'more than AUDIT_VERIFY_GRACE_MS ago that have no audit document (missing: removed, also from the end of a chain, or never recorded). ' +
      SCOPE,
  })
  @ApiOkResponse({ type: AuditVerificationDto })
  @ApiErrors(400, 503)
  verify(@CallerScope() scope: TenantScope, @Query() query: VerifyAuditQueryDto): Promise<AuditVerificationDto> {
    return this.audit.verify(scope, query.tenant, { service: query.service, env: query.env, version: query.version });
  }

  @Get('route')
  @ApiOperation({
    summary: 'History of one route',
    description:
      'Every audited change of tenant/service/env/version, optionally between start_time and end_time (both included) ' +
      `and by one API key (changed_by, changed_by_key_id) or request (correlation_id): "who changed it last week". ${ORDER} ${SCOPE}`,
  })
  @ApiOkResponse({ type: RouteAuditResponseDto })
  @ApiErrors(400, 503)
  async route(@CallerScope() scope: TenantScope, @Query() query: RouteAuditQueryDto): Promise<RouteAuditResponseDto> {
    const route = { tenant: query.tenant, service: query.service, env: query.env, version: query.version };
    const window = { from: query.start_time, to: query.end_time };
    const page = await this.audit.forRoute(scope, route, window, authorOf(query), pageOf(query));
    return { route, count: page.events.length, events: page.events.map(AuditRouteEventDto.from), next_cursor: page.nextCursor };
  }

  @Get('recent')
  @ApiOperation({
    summary: 'Changes of the last `days` days',
    description: `Optionally narrowed to a tenant, service, env or API key (changed_by, changed_by_key_id) or request (correlation_id). ${ORDER} ${SCOPE}`,
  })
  @ApiOkResponse({ type: RecentAuditResponseDto })
  @ApiErrors(400, 503)
  async recent(@CallerScope() scope: TenantScope, @Query() query: RecentAuditQueryDto): Promise<RecentAuditResponseDto> {
    const days = query.days ?? DEFAULT_DAYS;
    const page = await this.audit.recent(scope, days, filterOf(query), pageOf(query));
    return { days, count: page.events.length, events: page.events.map(AuditEventDto.from), next_cursor: page.nextCursor };
  }

  @Get('action')
  @ApiOperation({
    summary: 'Changes with one action',
    description:
      'Within the last `hours` hours when given, otherwise all time; optionally narrowed to a tenant, service, env or API key ' +
      `(changed_by, changed_by_key_id) or request (correlation_id). ${ORDER} ${SCOPE}`,
  })
  @ApiOkResponse({ type: ActionAuditResponseDto })
  @ApiErrors(400, 503)
  async action(@CallerScope() scope: TenantScope, @Query() query: ActionAuditQueryDto): Promise<ActionAuditResponseDto> {
    const hours = query.hours ?? null;
    const page = await this.audit.forAction(scope, query.action, hours, filterOf(query), pageOf(query));
    return {
      action: query.action,
      hours,
      count: page.events.length,
      events: page.events.map(AuditEventDto.from),
      next_cursor: page.nextCursor,
    };
  }

  @Get('time-range')
  @ApiOperation({
    summary: 'Changes between two instants (both included)',
    description:
      'Timestamps need a zone (Z or ±hh:mm; send "+" as %2B) and start_time must be before end_time; optionally narrowed to an ' +
      `action, tenant, service, env or API key (changed_by, changed_by_key_id) or request (correlation_id). ${ORDER} ${SCOPE}`,
  })
  @ApiOkResponse({ type: TimeRangeAuditResponseDto })
  @ApiErrors(400, 503)
  async timeRange(@CallerScope() scope: TenantScope, @Query() query: TimeRangeAuditQueryDto): Promise<TimeRangeAuditResponseDto> {
    const filter = { ...filterOf(query), action: query.action };
    const page = await this.audit.inTimeRange(scope, query.start_time, query.end_time, filter, pageOf(query));
    return {
      start_time: query.start_time.toISOString(),
      end_time: query.end_time.toISOString(),
      count: page.events.length,
      events: page.events.map(AuditEventDto.from),
      next_cursor: page.nextCursor,
    };
  }
}

function pageOf(query: { limit?: number; cursor?: string }): PageRequest {
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor };
}

function authorOf({ changed_by, changed_by_key_id, correlation_id }: AuditAuthorQueryDto): AuthorFilter {
  return { changedBy: changed_by, changedByKeyId: changed_by_key_id, correlationId: correlation_id };
}

function filterOf(query: AuditFilterQueryDto): EventFilter {
  return { tenant: query.tenant, service: query.service, env: query.env, ...authorOf(query) };
}
