import { Injectable, Logger } from '@nestjs/common';
import { inScope, TenantScope } from '../../contracts/principal';
import { ROUTE_ACTIONS, ROUTE_CHANGED_EVENT, RouteChangedEvent } from '../../contracts/route-event';
import { AuditEvent } from './audit-event.schema';
import { AuditRepository } from './audit.repository';
import { InvalidAuditEventError } from './audit.errors';
import { chainPosition, ChainHead, linkDocuments, routeChainKey } from './audit-chain';
import { LRUCache } from 'lru-cache';
import { parseZonedTimestamp } from '../../common/validation/zoned-timestamp';

export type RecordOutcome = 'inserted' | 'duplicate';

// Rounds of storing a batch: linking, re-linking after conflicts, and at last storing unchained.
const MAX_LINK_ATTEMPTS = 3;

// Writes route events to the audit trail. Per event, 'duplicate' means that event_id is already
// stored (redelivery). Rejects when MongoDB fails, so the caller retries; an event that can never be
// stored, including one of a tenant outside the writer's scope, is refused with InvalidAuditEventError
// (permanent). The audit_log consumer records with ALL_TENANTS.
@Injectable()
export class AuditRecorder {
  // The chain heads this process wrote last, per route: most batches then need no lookup at all.
  private readonly heads = new LRUCache<string, ChainHead>({ max: 100_000 });
  private readonly logger = new Logger(AuditRecorder.name);

  constructor(private readonly repository: AuditRepository) {}

  async record(scope: TenantScope, event: RouteChangedEvent): Promise<RecordOutcome> {
    const [outcome] = await this.recordMany(scope, [event]);
    if (outcome instanceof InvalidAuditEventError) throw outcome;
    return outcome;
  }

  // When the event was recorded (its processed_at), null if it is not (yet): the audit stage of the
  // propagation status. Throws when MongoDB cannot be asked.
  recordedAt(scope: TenantScope, eventId: string): Promise<Date | null> {
    return this.repository.recordedAt(scope, eventId);
  }

  // A consumer's batch, linked onto its routes' hash chains (audit-chain.ts) and stored in one
  // unordered insert. The head each route continues from is the document of the revision before the
  // batch's first one, from memory when this process wrote it, else one lookup by its unique chain
  // position for the whole batch; a route with no such document starts (or restarts) its chain.
  // That guess is checked by the unique indexes: a document refused because its position is taken
  // by something else (a gap in the route's chain, another writer) has its successors from this batch
  // taken back, and those routes are linked again from their real heads (read the certain, slower
  // way). A redelivered event is refused as a duplicate without harm: its fields, and so its hash and
  // place, are the ones stored. Invalid events are answered with their InvalidAuditEventError in
  // their place and the others are stored.
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
    // The first document of each event id is the one stored; a repeat within the batch is a duplicate.
    const first = new Map<string, AuditEvent>();
    for (const doc of docs) if (!(doc instanceof InvalidAuditEventError) && !first.has(doc.event_id)) first.set(doc.event_id, doc);
    const outcomes = await this.store(scope, [...first.values()]);
    return docs.map((doc) =>
      doc instanceof InvalidAuditEventError ? doc : first.get(doc.event_id) === doc ? (outcomes.get(doc.event_id) ?? 'duplicate') : 'duplicate',
    );
  }

  private async store(scope: TenantScope, docs: AuditEvent[]): Promise<Map<string, RecordOutcome>> {
    const outcomes = new Map<string, RecordOutcome>();
    const certain = new Set<string>();
    let pending = docs;
    for (let attempt = 0; pending.length > 0; attempt++) {
      // Unreachable unless an event's id is refused yet not stored (a delete racing this insert): retry.
      if (attempt > MAX_LINK_ATTEMPTS - 1) throw new Error(`${pending.length} audit events could not be stored; retrying the batch`);
      // Copies without a chain (left out, not null: an unchained document has no `chain` field).
      const bare: AuditEvent[] = pending.map(({ chain: _chain, ...doc }) => doc);
      // The audit trail must not stall on its chains: what still cannot be linked after a few rounds
      // is stored unchained (verification counts it), and the trail goes on.
      const giveUp = attempt === MAX_LINK_ATTEMPTS - 1;
      if (giveUp) this.logger.warn(`Storing ${bare.length} audit events unchained: their routes' chains kept moving while they were linked`);
      const linked = giveUp ? bare : linkDocuments(bare, await this.headsFor(pending, certain));
      const result = await this.repository.insertLinked(scope, linked);
      // Per route, the lowest revision from which this batch's documents must be linked again: a
      // refused document's own (its position was taken), or the one after a stored copy of an event
      // that sits elsewhere in the chain than this batch assumed (or outside it).
      const conflicted = new Map<string, number>();
      const relinkFrom = (doc: AuditEvent, revision: number) => {
        const key = routeChainKey(doc.route);
        conflicted.set(key, Math.min(conflicted.get(key) ?? Infinity, revision));
      };
      for (const doc of linked) {
        const outcome = result.get(doc.event_id)!;
        if (outcome === 'conflict') relinkFrom(doc, doc.revision ?? 0);
        else {
          outcomes.set(doc.event_id, outcome === 'inserted' ? 'inserted' : 'duplicate');
          if (outcome === 'stored-elsewhere') relinkFrom(doc, (doc.revision ?? 0) + 1);
        }
      }
      // Remember each route's new head; forget those that conflicted.
      for (const doc of linked) if (doc.chain && result.get(doc.event_id) !== 'stored-elsewhere' && outcomes.has(doc.event_id)) this.remember(doc);
      if (conflicted.size === 0) break;
      const redo = linked.filter((doc) => {
        const from = conflicted.get(routeChainKey(doc.route));
        return (
          from !== undefined &&
          (doc.revision ?? 0) >= from &&
          result.get(doc.event_id) !== 'duplicate' &&
          result.get(doc.event_id) !== 'stored-elsewhere'
        );
      });
      await this.repository.deleteEvents(redo.filter((doc) => outcomes.get(doc.event_id) === 'inserted').map((doc) => doc.event_id));
      for (const doc of redo) {
        outcomes.delete(doc.event_id);
        this.heads.delete(routeChainKey(doc.route));
        certain.add(routeChainKey(doc.route));
      }
      pending = redo;
    }
    return outcomes;
  }

  // The head per route of `docs`: read the certain way for routes in `certain`, else the document of
  // the revision before the batch's first (from memory, or one lookup for all of them).
  private async headsFor(docs: AuditEvent[], certain: Set<string>): Promise<Map<string, ChainHead>> {
    const firstRevision = new Map<string, { route: AuditEvent['route']; revision: number }>();
    for (const doc of docs) {
      if (doc.revision === null) continue;
      const key = routeChainKey(doc.route);
      const seen = firstRevision.get(key);
      if (!seen || doc.revision < seen.revision) firstRevision.set(key, { route: doc.route, revision: doc.revision });
    }
    const heads = new Map<string, ChainHead>();
    const slow: AuditEvent['route'][] = [];
    const lookup: string[] = [];
    for (const [key, { route, revision }] of firstRevision) {
      if (certain.has(key)) slow.push(route);
      else if (revision <= 1) continue;
      else if (this.heads.get(key)?.revision === revision - 1) heads.set(key, this.heads.get(key)!);
      else lookup.push(chainPosition(route, revision - 1));
    }
    for (const [key, head] of await this.repository.chainAt(lookup)) heads.set(key, head);
    for (const [key, head] of await this.repository.chainHeads(slow)) heads.set(key, head);
    return heads;
  }

  private remember(doc: AuditEvent): void {
    const key = routeChainKey(doc.route);
    const known = this.heads.get(key);
    if (doc.revision !== null && (!known || known.revision < doc.revision)) this.heads.set(key, { hash: doc.chain!.hash, revision: doc.revision });
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
    ...(typeof event.force_reason === 'string' ? { force_reason: event.force_reason } : {}),
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
