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
  @ApiProperty({ nullable: true, type: String, description: 'Who made the change; null until authentication exists' })
  changed_by: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'X-Correlation-ID of the request that made the change' })
  correlation_id: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 3, description: 'Route revision after this change' })
  revision: number | null;
  @ApiProperty({ example: '2026-01-14T17:00:00.000Z', description: 'When the change was committed (UTC)' })
  occurred_at: string;
  @ApiProperty({ nullable: true, type: String, example: '2026-01-14T17:00:00.250Z', description: 'When it was audited (UTC)' })
  processed_at: string | null;

  static from(doc: AuditEvent): AuditRouteEventDto {
    return {
      event_id: doc.event_id,
      action: doc.action,
      url: doc.url ?? null,
      previous_url: doc.previous_url ?? null,
      previous_state: doc.previous_state ?? null,
      changed_by: doc.changed_by ?? null,
      correlation_id: doc.correlation_id ?? null,
      revision: doc.revision ?? null,
      occurred_at: doc.occurred_at.toISOString(),
      processed_at: doc.processed_at ? doc.processed_at.toISOString() : null,
    };
  }
}
