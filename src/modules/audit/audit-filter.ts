import { FilterQuery } from 'mongoose';
import { TenantScope } from '../../contracts/principal';
import { RouteAction } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';
import { AuditPosition } from './audit-cursor';
import { AuditEvent } from './audit-event.schema';

export interface AuditFilter {
  route?: Partial<RouteKey>;
  action?: RouteAction;
  from?: Date;
  to?: Date;
  // The API key's name and id, as in the event's changed_by / changed_by_key_id.
  changedBy?: string;
  changedByKeyId?: string;
  // The write request's correlation id.
  correlationId?: string;
}

// Null when the filter and the scope name different tenants: their intersection is empty.
export function toAuditQuery(scope: TenantScope, filter: AuditFilter, after: AuditPosition | undefined): FilterQuery<AuditEvent> | null {
  const route = { ...filter.route };
  if (scope.tenant !== null) {
    if (route.tenant !== undefined && route.tenant !== scope.tenant) return null;
    route.tenant = scope.tenant;
  }
  const query: FilterQuery<AuditEvent> = {};
  for (const field of ['tenant', 'service', 'env', 'version'] as const) {
    const value = route[field];
    if (value !== undefined) query[`route.${field}`] = value;
  }
  if (filter.action !== undefined) query.action = filter.action;
  if (filter.changedBy !== undefined) query.changed_by = filter.changedBy;
  if (filter.changedByKeyId !== undefined) query.changed_by_key_id = filter.changedByKeyId;
  if (filter.correlationId !== undefined) query.correlation_id = filter.correlationId;
  if (filter.from || filter.to) {
    query.occurred_at = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lte: filter.to }) };
  }
  if (after) {
    query.$or = [{ occurred_at: { $lt: after.occurredAt } }, { occurred_at: after.occurredAt, event_id: { $lt: after.eventId } }];
  }
  return query;
}
