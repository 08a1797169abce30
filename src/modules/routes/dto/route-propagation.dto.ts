import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalWholeNumber } from '../../../common/validation/paging.decorator';
import { RouteKey } from '../../../contracts/route-key';
import { PropagationStatus, Stage, StageName } from '../route-propagation';
import { MAX_REVISION } from '../write-precondition';

export class RoutePropagationQueryDto {
  @IsOptionalWholeNumber(1, MAX_REVISION, "The revision to report on (a write's `revision`); default: the route's current one")
  revision?: number;
}

export class PropagationStageDto {
  @ApiProperty({
    enum: ['done', 'pending', 'unknown'],
    example: 'done',
    description:
      'done: this revision (or a later one) is in effect at this stage; pending: not yet; unknown: the store that records it ' +
      'cannot be read now, or its record is no longer kept',
  })
  state: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the stage reached the revision it reports, where known' })
  at: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: 'integer',
    description: 'The revision this stage holds (shared_cache: the Redis entry, null if none; cache groups: their applied mark)',
  })
  revision?: number | null;

  static from(stage: Stage): PropagationStageDto {
    const dto: PropagationStageDto = { state: stage.state, at: stage.at ? stage.at.toISOString() : null };
    if (stage.revision !== undefined) dto.revision = stage.revision;
    return dto;
  }
}

export class PropagationStagesDto {
  @ApiProperty({ description: 'Committed in PostgreSQL (the revision exists); `at` is its commit time' }) committed: PropagationStageDto;
  @ApiProperty({ description: 'Its event published to Kafka by the outbox relay' }) published: PropagationStageDto;
  @ApiProperty({ description: 'Redis holds this revision or a later one, or nothing (a miss reads PostgreSQL); pending: an older entry' })
  shared_cache: PropagationStageDto;
  @ApiProperty({ description: 'The cache_invalidation group stored it in Redis and announced it to every API instance' })
  cache_invalidation: PropagationStageDto;
  @ApiProperty({ description: 'The cache_warming group loaded the route into Redis' }) cache_warming: PropagationStageDto;
  @ApiProperty({ description: 'The audit_log group recorded the event in MongoDB (GET /api/v1/audit/…)' }) audit_log: PropagationStageDto;
}

export class RoutePropagationResponseDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: 'payments' }) service: string;
  @ApiProperty({ example: 'prod' }) env: string;
  @ApiProperty({ example: 'v2' }) version: string;
  @ApiProperty({ type: 'integer', example: 3, description: 'The revision reported on' }) revision: number;
  @ApiProperty({ type: 'integer', example: 3, description: "The route's revision now" }) current_revision: number;
  @ApiProperty({
    nullable: true,
    type: Boolean,
    example: true,
    description: 'Every API instance now answers with this revision or a later one (cache_invalidation is done); null when that cannot be told now',
  })
  live: boolean | null;
  @ApiProperty({ type: PropagationStagesDto }) stages: PropagationStagesDto;

  static from(key: RouteKey, status: PropagationStatus): RoutePropagationResponseDto {
    const stages = Object.fromEntries(Object.entries(status.stages).map(([name, stage]) => [name, PropagationStageDto.from(stage)])) as Record<
      StageName,
      PropagationStageDto
    >;
    return {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      revision: status.revision,
      current_revision: status.currentRevision,
      live: status.live,
      stages,
    };
  }
}
