import { ApiProperty } from '@nestjs/swagger';
import { ROUTE_ACTIONS, RouteAction, RouteState } from '../../../contracts/route-event';
import { AuditEvent } from '../audit-event.schema';

// One audited change, without its route (GET /audit/route names the route once for all events).
export class AuditRouteEventDto {
  @ApiProperty({ example: '0b8e2c1e-5f7a-4c1d-9d2e-7a6b5c4d3e2f' }) event_id: string;
  @ApiProperty({ enum: ROUTE_ACTIONS }) action: RouteAction;
  @ApiProperty({ nullable: true, type: String, example: 'https://payments-v2.internal.example.com' }) url: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'URL before this change; null for "created"' })
  previous_url: string | null;
  @ApiProperty({ nullable: true, enum: ['active', 'inactive'], description: 'State before this change; null for "created"' })
  previous_state: RouteState | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'deploy-bot',
    description: 'Name of the API key that made the change; null for changes made before authentication existed',
  })
  changed_by: string | null;
  @ApiProperty({ nullable: true, type: String, example: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', description: 'Id of that API key' })
  changed_by_key_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'X-Correlation-ID of the request that made the change' })
  correlation_id: string | null;
  @ApiProperty({ nullable: true, type: 'integer', example: 3, description: 'Route revision after this change' })
  revision: number | null;
  @ApiProperty({ format: 'date-time', example: '2026-01-14T17:00:00.000Z', description: 'When the change was committed (UTC)' })
  occurred_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-01-14T17:00:00.250Z', description: 'When it was audited (UTC)' })
  processed_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'Why the change was forced past the tenant\'s write-time interlock ("force": true); null when it was not forced',
  })
  force_reason: string | null;

  static from(doc: AuditEvent): AuditRouteEventDto {
    return {
      event_id: doc.event_id,
      action: doc.action,
      url: doc.url ?? null,
      previous_url: doc.previous_url ?? null,
      previous_state: doc.previous_state ?? null,
      changed_by: doc.changed_by ?? null,
      changed_by_key_id: doc.changed_by_key_id ?? null,
      correlation_id: doc.correlation_id ?? null,
      revision: doc.revision ?? null,
      occurred_at: doc.occurred_at.toISOString(),
      processed_at: doc.processed_at ? doc.processed_at.toISOString() : null,
      force_reason: doc.force_reason ?? null,
    };
  }
}
