import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { ResolveQueryDto } from './dto/resolve-query.dto';
import { ResolvedRouteResponseDto } from './dto/resolved-route-response.dto';
import { ResolveService } from './resolve.service';

@ApiTags('resolve')
@Controller('api/v1/routes/resolve')
export class ResolveController {
  constructor(private readonly resolver: ResolveService) {}

  @Get()
  @ApiOperation({
    summary: 'Where is tenant/service/env/version?',
    description: 'Answers from the Redis cache when it can; 404 when the route is missing or inactive.',
  })
  @ApiOkResponse({ type: ResolvedRouteResponseDto })
  @ApiErrors(400, 404, 503)
  async resolve(@Query() query: ResolveQueryDto): Promise<ResolvedRouteResponseDto> {
    const { tenant, service, env, version } = query;
    const { url, revision } = await this.resolver.resolve({ tenant, service, env, version });
    return { tenant, service, env, version, url, revision };
  }
}
