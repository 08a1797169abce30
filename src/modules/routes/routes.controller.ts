import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { TenantScope } from '../../contracts/principal';
import { CallerScope } from '../auth';
import { ListRoutesQueryDto } from './dto/list-routes-query.dto';
import { RouteKeyDto } from '../../common/validation/route-key.dto';
import { RouteListResponseDto } from './dto/route-list-response.dto';
import { RouteResponseDto } from './dto/route-response.dto';
import { RouteAsOfQueryDto } from './dto/route-as-of-query.dto';
import { RouteHistoryQueryDto, RouteHistoryResponseDto } from './dto/route-history.dto';
import { decodeCursor, decodeHistoryCursor, encodeCursor, encodeHistoryCursor } from './route-cursor';
import { RoutesService } from './routes.service';
import { RoutePropagation } from './route-propagation';
import { RoutePropagationQueryDto, RoutePropagationResponseDto } from './dto/route-propagation.dto';
import { BulkheadInterceptor } from '../resilience';
import { DrainInterceptor } from '../resilience';
import { OperationClass } from '../resilience';

const DEFAULT_PAGE_SIZE = 100;

// The route reads. The writes (create, activate, deactivate) are plain Fastify routes: write-routes.ts.
@ApiTags('routes')
@Controller('api/v1/routes')
@UseInterceptors(DrainInterceptor, BulkheadInterceptor)
@OperationClass('audit')
export class RoutesController {
  constructor(
    private readonly routes: RoutesService,
    private readonly propagationOf: RoutePropagation,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List configured routes, ordered by creation, with cursor pagination' })
  @ApiOkResponse({ type: RouteListResponseDto })
  @ApiErrors(400, 503)
  async list(@CallerScope() scope: TenantScope, @Query() query: ListRoutesQueryDto): Promise<RouteListResponseDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.routes.list(scope, {
      tenant: query.tenant,
      service: query.service,
      env: query.env,
      active: query.active,
      afterId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      routes: page.map((row) => RouteResponseDto.from(row)),
      count: page.length,
      next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  @Get(':tenant/:service/:env/:version')
  @ApiOperation({
    summary: 'One route as configured (active or not), with revision and timestamps; with as_of, as it was at that time',
    description:
      'as_of answers "what did this route resolve to at 14:02?" from the kept history (ROUTE_HISTORY_LIMIT revisions per route): ' +
      'url, is_active and revision of the last revision committed at or before that time, updated_at its commit time. ' +
      'Before the route was created: 404 ROUTE.NOT_FOUND; a time whose revision is no longer kept: 404 ROUTE.REVISION_NOT_FOUND.',
  })
  @ApiOkResponse({ type: RouteResponseDto })
  @ApiErrors(400, 404, 503)
  async getOne(@CallerScope() scope: TenantScope, @Param() key: RouteKeyDto, @Query() query: RouteAsOfQueryDto) {
    const route = pick(key);
    return RouteResponseDto.from(
      query.as_of === undefined ? await this.routes.get(scope, route) : await this.routes.getAsOf(scope, route, query.as_of),
    );
  }

  @Get(':tenant/:service/:env/:version/history')
  @ApiOperation({
    summary: "One route's kept revisions, newest first: URL, state, who changed it and when",
    description:
      'Every change (create, update, activate, deactivate, rollback) is a revision, recorded in the same transaction as the ' +
      'change. The last ROUTE_HISTORY_LIMIT revisions of each route are kept (oldest_revision); POST /api/v1/routes/rollback ' +
      'restores one of them. The audit trail (GET /api/v1/audit/route) keeps every event for as long as MongoDB keeps it.',
  })
  @ApiOkResponse({ type: RouteHistoryResponseDto })
  @ApiErrors(400, 404, 503)
  async history(
    @CallerScope() scope: TenantScope,
    @Param() key: RouteKeyDto,
    @Query() query: RouteHistoryQueryDto,
  ): Promise<RouteHistoryResponseDto> {
    const route = pick(key);
    const page = historyPage(query);
    const history = await this.routes.history(scope, route, { ...page, limit: page.limit + 1 });
    const revisions = history.revisions.slice(0, page.limit);
    const more = history.revisions.length > page.limit;
    return RouteHistoryResponseDto.from(route, history, revisions, more ? encodeHistoryCursor(revisions[revisions.length - 1].revision) : null);
  }

  @Get(':tenant/:service/:env/:version/propagation')
  @ApiOperation({
    summary: 'Is my change live? Where one revision of a route has got to, stage by stage',
    description:
      'Committed in PostgreSQL, published to Kafka, held by the shared Redis cache, applied by each consumer group ' +
      '(cache_invalidation, which makes every API instance answer with it; cache_warming; audit_log). `live` is true once every ' +
      'API instance answers with this revision or a later one. Read from the stores themselves; a store that cannot be read ' +
      'makes its stages `unknown`. Revisions not kept in the history (ROUTE_HISTORY_LIMIT) are 404 ROUTE.REVISION_NOT_FOUND.',
  })
  @ApiOkResponse({ type: RoutePropagationResponseDto })
  @ApiErrors(400, 404, 503)
  async propagation(
    @CallerScope() scope: TenantScope,
    @Param() key: RouteKeyDto,
    @Query() query: RoutePropagationQueryDto,
  ): Promise<RoutePropagationResponseDto> {
    const route = pick(key);
    return RoutePropagationResponseDto.from(route, await this.propagationOf.status(scope, route, query.revision));
  }
}

// The history is paged newest first, keyset on the revision ("before" the last one given).
function historyPage(query: RouteHistoryQueryDto) {
  return {
    limit: query.limit ?? DEFAULT_PAGE_SIZE,
    beforeRevision: query.cursor === undefined ? undefined : decodeHistoryCursor(query.cursor),
  };
}

function pick({ tenant, service, env, version }: RouteKeyDto) {
  return { tenant, service, env, version };
}
