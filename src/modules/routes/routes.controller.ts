import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Principal, TenantScope } from '../../contracts/principal';
import { Caller, CallerScope } from '../auth';
import { CreateRouteDto } from './dto/create-route.dto';
import { ListRoutesQueryDto } from './dto/list-routes-query.dto';
import { RouteKeyDto } from '../../common/validation/route-key.dto';
import { RouteListResponseDto } from './dto/route-list-response.dto';
import { RouteResponseDto } from './dto/route-response.dto';
import { decodeCursor, encodeCursor } from './route-cursor';
import { RoutesService } from './routes.service';
import { BulkheadInterceptor } from '../resilience';
import { DrainInterceptor } from '../resilience';
import { OperationClass } from '../resilience';

const DEFAULT_PAGE_SIZE = 100;

@ApiTags('routes')
@Controller('api/v1/routes')
@UseInterceptors(DrainInterceptor, BulkheadInterceptor)
@OperationClass('writes')
export class RoutesController {
  constructor(private readonly routes: RoutesService) {}

  @Post()
  @ApiOperation({
    summary: 'Create or update a route',
    description:
      'Creates tenant/service/env on first use. Same url and already active: no change and no event. ' +
      'Different url: updated (and active). Same url but inactive: activated. ' +
      "A route of a tenant outside the key's scope is 404, as if it did not exist, and is not created.",
  })
  @ApiResponse({ status: 201, description: 'The route did not exist and was created', type: RouteResponseDto })
  @ApiResponse({ status: 200, description: 'The route existed (updated, activated or unchanged)', type: RouteResponseDto })
  @ApiErrors(400, 404, 413, 415, 503)
  async create(@Caller() caller: Principal, @Body() body: CreateRouteDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { tenant, service, env, version, url } = body;
    const result = await this.routes.create(caller, { tenant, service, env, version }, url);
    reply.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return RouteResponseDto.from(result.route);
  }

  @Post('activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Activate a route (no-op when already active)' })
  @ApiOkResponse({ type: RouteResponseDto })
  @ApiErrors(400, 404, 413, 415, 503)
  async activate(@Caller() caller: Principal, @Body() key: RouteKeyDto) {
    return RouteResponseDto.from((await this.routes.activate(caller, pick(key))).route);
  }

  @Post('deactivate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Deactivate a route (soft delete; no-op when already inactive)' })
  @ApiOkResponse({ type: RouteResponseDto })
  @ApiErrors(400, 404, 413, 415, 503)
  async deactivate(@Caller() caller: Principal, @Body() key: RouteKeyDto) {
    return RouteResponseDto.from((await this.routes.deactivate(caller, pick(key))).route);
  }

  @Get()
  @OperationClass('audit')
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
  @OperationClass('audit')
  @ApiOperation({ summary: 'One route as configured (active or not), with revision and timestamps' })
  @ApiOkResponse({ type: RouteResponseDto })
  @ApiErrors(400, 404, 503)
  async getOne(@CallerScope() scope: TenantScope, @Param() key: RouteKeyDto) {
    return RouteResponseDto.from(await this.routes.get(scope, pick(key)));
  }
}

function pick({ tenant, service, env, version }: RouteKeyDto) {
  return { tenant, service, env, version };
}
