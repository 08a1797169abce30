import { Injectable } from '@nestjs/common';
import { RouteAction } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { AuditEvent } from './audit-event.schema';
import { AuditFilter, AuditRepository } from './audit.repository';
import { InvalidTimeRangeError } from './audit.errors';

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export type RouteScope = Partial<Pick<RouteKey, 'tenant' | 'service' | 'env'>>;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// Read side of the audit trail. Every listing is newest first (occurred_at, then event_id, both
// descending) and pages with an opaque cursor that carries both keys.
@Injectable()
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  forRoute(route: RouteKey, page: PageRequest): Promise<AuditPage> {
    return this.list({ route }, page);
  }

  recent(days: number, scope: RouteScope, page: PageRequest): Promise<AuditPage> {
    return this.list({ route: scope, from: new Date(Date.now() - days * DAY_MS) }, page);
  }

  forAction(action: RouteAction, hours: number | null, scope: RouteScope, page: PageRequest): Promise<AuditPage> {
    const from = hours === null ? undefined : new Date(Date.now() - hours * HOUR_MS);
    return this.list({ route: scope, action, from }, page);
  }

  // Both ends inclusive, as in the seed.
  inTimeRange(from: Date, to: Date, scope: RouteScope & { action?: RouteAction }, page: PageRequest): Promise<AuditPage> {
    if (from.getTime() >= to.getTime()) throw new InvalidTimeRangeError();
    const { action, ...route } = scope;
    return this.list({ route, action, from, to }, page);
  }

  private async list(filter: AuditFilter, { limit, cursor }: PageRequest): Promise<AuditPage> {
    const after = cursor === undefined ? undefined : decodeAuditCursor(cursor);
    // One extra row tells whether another page exists without a count query.
    const rows = await this.repository.find(filter, after, limit + 1);
    const events = rows.slice(0, limit);
    const last = events[events.length - 1];
    const nextCursor = rows.length > limit ? encodeAuditCursor({ occurredAt: last.occurred_at, eventId: last.event_id }) : null;
    return { events, nextCursor };
  }
}
