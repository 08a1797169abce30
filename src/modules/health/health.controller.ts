import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/http/public.decorator';
import { HealthCheck } from '@nestjs/terminus';
import { degraded } from '../../common/health/timed-check';
import { DatabaseHealthIndicator } from '../../infra/database/database.health';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { MongoHealthIndicator } from '../../infra/mongo/mongo.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
import { InvalidationChannelHealthIndicator } from '../../infra/redis/invalidation-channel.health';
import { ProbeResponseDto } from './dto/probe-response.dto';
import { Readiness } from './readiness';

@ApiTags('health')
@Controller('health')
// Probes: no API key (load balancers and orchestrators call them without one).
@Public()
export class HealthController {
  constructor(
    private readonly readiness: Readiness,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly mongo: MongoHealthIndicator,
    private readonly channel: InvalidationChannelHealthIndicator,
  ) {}

  // The seed's static probe; kept for load balancers configured against it.
  @Get()
  @ApiOperation({ summary: 'Static health probe kept from the seed (same as live)' })
  @ApiOkResponse({ type: ProbeResponseDto, description: 'The process answers' })
  staticProbe() {
    return { status: 'healthy', service: 'traffic-manager' };
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers; checks no dependency' })
  @ApiOkResponse({ type: ProbeResponseDto, description: 'The process answers' })
  live() {
    return { status: 'alive', service: 'traffic-manager' };
  }

  // Ready when PostgreSQL answers and the process is not draining. Redis, Kafka and MongoDB are
  // reported but degrade the service instead of failing readiness (as in the seed): resolve falls
  // back to PostgreSQL, writes queue in the outbox, audit queries answer 503 on their own. So is the
  // invalidation channel: without it the in-process caches are bypassed.
  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Readiness: PostgreSQL answers and not draining (503 otherwise); Redis, Kafka, MongoDB and the invalidation channel reported as degraded',
  })
  ready() {
    return this.readiness.check(
      [
        () => this.database.check('database'),
        async () => degraded(await this.redis.check('redis')),
        async () => degraded(await this.kafka.check('kafka')),
        async () => degraded(await this.mongo.check('mongodb')),
        () => degraded(this.channel.check('invalidation_channel')),
      ],
      'Draining: not accepting new work',
    );
  }
}
