import { ApiProperty } from '@nestjs/swagger';
import { IsPageCursor, IsPageLimit } from '../../../common/validation/paging.decorator';
import { RouteKey } from '../../../contracts/route-key';
import { RouteHistory, RouteRevisionRecord } from '../../route-store';

export const HISTORY_ACTIONS = ['created', 'updated', 'activated', 'deactivated', 'baseline'] as const;

export class RouteHistoryQueryDto {
  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}

export class RouteRevisionDto {
  @ApiProperty({ type: 'integer', example: 3 }) revision: number;

  @ApiProperty({
    enum: HISTORY_ACTIONS,
    example: 'updated',
    description: "The change's event action; baseline: the route's state when history began (routes older than the history table)",
  })
  action: string;

  @ApiProperty({ example: 'https://payments-v2.internal.example.com', description: 'The URL after this change' }) url: string;
  @ApiProperty({ example: true, description: 'Whether the route was active after this change' }) is_active: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:05:00.000Z' }) changed_at: string;
  @ApiProperty({ nullable: true, type: String, example: 'deploy-bot', description: 'Name of the API key that made the change' })
  changed_by: string | null;
  @ApiProperty({ nullable: true, type: String, example: '0f8c2a4e9b1d4c7e8a3f5b6c7d8e9f01' }) changed_by_key_id: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'req-42', description: "The write request's correlation id" })
  correlation_id: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The route event of this change (null for baseline)' })
  event_id: string | null;

  static from(record: RouteRevisionRecord): RouteRevisionDto {
    return {
      revision: record.revision,
      action: record.action,
      url: record.url,
      is_active: record.isActive,
      changed_at: record.changedAt.toISOString(),
      changed_by: record.changedBy,
      changed_by_key_id: record.changedByKeyId,
      correlation_id: record.correlationId,
      event_id: record.eventId,
    };
  }
}

export class RouteHistoryResponseDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: 'payments' }) service: string;
  @ApiProperty({ example: 'prod' }) env: string;
  @ApiProperty({ example: 'v2' }) version: string;
  @ApiProperty({ type: 'integer', example: 3, description: "The route's revision now" }) current_revision: number;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    example: 1,
    description: 'The oldest revision still kept (ROUTE_HISTORY_LIMIT per route); older ones cannot be rolled back to',
  })
  oldest_revision: number | null;
  @ApiProperty({ type: [RouteRevisionDto], description: 'Newest first' }) revisions: RouteRevisionDto[];
  @ApiProperty({ type: 'integer', example: 3, description: 'Number of revisions in this page' }) count: number;
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` to get older revisions; null on the last page' })
  next_cursor: string | null;

  static from(key: RouteKey, history: RouteHistory, revisions: RouteRevisionRecord[], nextCursor: string | null): RouteHistoryResponseDto {
    return {
      tenant: key.tenant,
      service: key.service,
      env: key.env,
      version: key.version,
      current_revision: history.currentRevision,
      oldest_revision: history.oldestRevision,
      revisions: revisions.map((revision) => RouteRevisionDto.from(revision)),
      count: revisions.length,
      next_cursor: nextCursor,
    };
  }
}
