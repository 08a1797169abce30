import { Injectable } from '@nestjs/common';
import { inScope, TenantScope } from '../../contracts/principal';
import { ROUTE_ACTIONS, ROUTE_CHANGED_EVENT, RouteChangedEvent } from '../../contracts/route-event';
import { AuditEvent } from './audit-event.schema';
import { AuditRepository } from './audit.repository';
import { InvalidAuditEventError } from './audit.errors';
import { parseZonedTimestamp } from '../../common/validation/zoned-timestamp';

export type RecordOutcome = 'inserted' | 'duplicate';

// Writes route events to the audit trail. Per event, 'duplicate' means that event_id is already
// stored (redelivery). Rejects when MongoDB fails, so the caller retries; an event that can never be
// stored, including one of a tenant outside the writer's scope, is refused with InvalidAuditEventError
// (permanent). The audit_log consumer records with ALL_TENANTS.
@Injectable()
export class AuditRecorder {
  constructor(private readonly repository: AuditRepository) {}

  async record(scope: TenantScope, event: RouteChangedEvent): Promise<RecordOutcome> {
    return this.repository.insert(scope, toAuditEvent(scope, event, new Date()));
  }

  // When the event was recorded (its processed_at), null if it is not (yet): the audit stage of the
  // propagation status. Throws when MongoDB cannot be asked.
  recordedAt(scope: TenantScope, eventId: string): Promise<Date | null> {
    return this.repository.recordedAt(scope, eventId);
  }

  // A consumer's batch in one MongoDB round trip. Invalid events are answered with their
  // InvalidAuditEventError in their place and the others are stored.
  async recordMany(scope: TenantScope, events: RouteChangedEvent[]): Promise<Array<RecordOutcome | InvalidAuditEventError>> {
    const processedAt = new Date();
    const docs = events.map((event) => {
      try {
        return toAuditEvent(scope, event, processedAt);
      } catch (err) {
        if (err instanceof InvalidAuditEventError) return err;
        throw err;
      }
    });
    const valid = docs.filter((doc): doc is AuditEvent => !(doc instanceof InvalidAuditEventError));
    const stored = valid.length > 0 ? await this.repository.insertMany(scope, valid) : [];
    let next = 0;
    return docs.map((doc) => (doc instanceof InvalidAuditEventError ? doc : stored[next++]));
  }
}

function toAuditEvent(scope: TenantScope, event: RouteChangedEvent, processedAt: Date): AuditEvent {
  const problems = ['event_id', 'tenant', 'service', 'env', 'version'].filter((field) => {
    const value = (event as unknown as Record<string, unknown>)[field];
    return typeof value !== 'string' || value.length === 0;
  });
  if (!problems.includes('tenant') && !inScope(scope, event.tenant)) problems.push("tenant (outside the writer's scope)");
  if (!ROUTE_ACTIONS.includes(event.action)) problems.push('action');
  const occurredAt = typeof event.occurred_at === 'string' ? readOccurredAt(event.occurred_at) : null;
  if (!occurredAt) problems.push('occurred_at');
  if (problems.length > 0 || !occurredAt) throw new InvalidAuditEventError(problems);

  return {
    event_id: event.event_id,
    event_type: event.event_type ?? ROUTE_CHANGED_EVENT,
    action: event.action,
    route: { tenant: event.tenant, service: event.service, env: event.env, version: event.version },
    url: event.url ?? null,
    previous_url: event.previous_url ?? null,
    previous_state: event.previous_state ?? null,
    changed_by: event.changed_by ?? null,
    changed_by_key_id: event.changed_by_key_id ?? null,
    correlation_id: event.correlation_id ?? null,
    revision: event.revision > 0 ? event.revision : null,
    occurred_at: occurredAt,
    processed_at: processedAt,
    metadata: {},
  };
}

// Our producer writes toISOString() (UTC, Z). Seed-era producers wrote utcnow().isoformat() + "Z";
// a zone-less value can only be such a UTC time missing its Z, never host-local time. Anything else
// Date.parse understands is accepted too, because the consumer's contract check uses Date.parse and
// an event it let through must not be refused here forever.
function readOccurredAt(value: string): Date | null {
  const iso = value.replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T');
  const parsed = parseZonedTimestamp(iso) ?? parseZonedTimestamp(`${iso}Z`);
  if (parsed) return parsed;
  const fallback = Date.parse(value);
  return Number.isNaN(fallback) ? null : new Date(fallback);
}
