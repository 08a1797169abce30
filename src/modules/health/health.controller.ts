import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  // The seed's static probe; kept for load balancers configured against it.
  @Get()
  @ApiOperation({ summary: 'Static health probe kept from the seed (same as live)' })
  staticProbe() {
    return { status: 'healthy', service: 'traffic-manager' };
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers; checks no dependency' })
  live() {
    return { status: 'alive', service: 'traffic-manager' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer (503 otherwise)' })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1000 }),
      () => this.redis.check('redis'),
    ]);
  }
}
