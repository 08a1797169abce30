import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { auditConfig } from '../../config/audit.config';
import { RouteHistoryRepository } from '../route-store';
import { TenantScope } from '../../contracts/principal';
import { RouteAction } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { AuditEvent } from './audit-event.schema';
import { AuditFilter } from './audit-filter';
import { AuditRepository } from './audit.repository';
import { InvalidTimeRangeError } from './audit.errors';
import { ChainVerifier } from './audit-chain';
import type { AuditVerificationDto } from './dto/verify-audit.dto';

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

// Who made the change: the API key's name and/or id, and the request (its correlation id).
export interface AuthorFilter {
  changedBy?: string;
  changedByKeyId?: string;
  correlationId?: string;
}

// The optional narrowing every listing accepts besides its own criterion.
export type EventFilter = Partial<Pick<RouteKey, 'tenant' | 'service' | 'env'>> & AuthorFilter;

export interface TimeWindow {
  from?: Date;
  to?: Date;
}

// Documents one verification reads at most (a cursor; memory stays flat): narrow by service or env beyond.
const MAX_VERIFIED = 200_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// Read side of the audit trail. Every listing is newest first (occurred_at, then event_id, both
// descending), pages with an opaque cursor that carries both keys, and sees only the caller's
// tenants (the scope is applied by the repository, in the query).
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly history: RouteHistoryRepository,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
  ) {}

  // Walks the tenant's hash chains (audit-chain.ts) and reports what does not hold; then checks the
  // trail against PostgreSQL's route history, which has every kept revision's event id: a change
  // committed more than AUDIT_VERIFY_GRACE_MS ago with no audit document is `missing`. That catches
  // what the chains alone cannot: documents removed from a chain's end (or a whole chain), and events
  // the audit_log group never recorded.
  async verify(scope: TenantScope, tenant: string, route: Partial<RouteKey>): Promise<AuditVerificationDto> {
    const checkedAt = new Date();
    const verifier = new ChainVerifier();
    const recorded = new Set<string>();
    let read = 0;
    for await (const doc of this.repository.chainOrder(scope, tenant, route, MAX_VERIFIED + 1)) {
      if (++read > MAX_VERIFIED) break;
      verifier.add(doc);
      recorded.add(doc.event_id);
    }
    const truncated = read > MAX_VERIFIED;
    // Only a whole trail can say what is missing from it.
    if (!truncated) {
      const before = new Date(checkedAt.getTime() - this.config.verifyGraceMs);
      for (const change of await this.history.committedEvents(scope, tenant, route, before, MAX_VERIFIED)) {
        if (!recorded.has(change.eventId)) verifier.missing(change);
      }
    }
    const result = verifier.done();
    return { tenant, ok: result.broken_total === 0, ...result, truncated, checked_at: checkedAt.toISOString() };
  }

  // Both ends inclusive and optional.
  forRoute(scope: TenantScope, route: RouteKey, window: TimeWindow, author: AuthorFilter, page: PageRequest): Promise<AuditPage> {
    checkWindow(window);
    return this.list(scope, { route, ...window, ...author }, page);
  }

  recent(scope: TenantScope, days: number, filter: EventFilter, page: PageRequest): Promise<AuditPage> {
    return this.list(scope, { ...split(filter), from: new Date(Date.now() - days * DAY_MS) }, page);
  }

  forAction(scope: TenantScope, action: RouteAction, hours: number | null, filter: EventFilter, page: PageRequest): Promise<AuditPage> {
    const from = hours === null ? undefined : new Date(Date.now() - hours * HOUR_MS);
    return this.list(scope, { ...split(filter), action, from }, page);
  }

  // Both ends inclusive, as in the seed.
  inTimeRange(scope: TenantScope, from: Date, to: Date, filter: EventFilter & { action?: RouteAction }, page: PageRequest): Promise<AuditPage> {
    if (from.getTime() >= to.getTime()) throw new InvalidTimeRangeError();
    const { action, ...rest } = filter;
    return this.list(scope, { ...split(rest), action, from, to }, page);
  }

  private async list(scope: TenantScope, filter: AuditFilter, { limit, cursor }: PageRequest): Promise<AuditPage> {
    const after = cursor === undefined ? undefined : decodeAuditCursor(cursor);
    // One extra row tells whether another page exists without a count query.
    const rows = await this.repository.find(scope, filter, after, limit + 1);
    const events = rows.slice(0, limit);
    const last = events[events.length - 1];
    const nextCursor = rows.length > limit ? encodeAuditCursor({ occurredAt: last.occurred_at, eventId: last.event_id }) : null;
    return { events, nextCursor };
  }
}

function split({ tenant, service, env, changedBy, changedByKeyId, correlationId }: EventFilter): AuditFilter {
  return { route: { tenant, service, env }, changedBy, changedByKeyId, correlationId };
}

function checkWindow({ from, to }: TimeWindow): void {
  if (from && to && from.getTime() >= to.getTime()) throw new InvalidTimeRangeError();
}
