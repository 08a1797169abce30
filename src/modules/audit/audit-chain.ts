import { createHash } from 'crypto';
import { RouteKey } from '../../contracts/route-key';
import { AuditEvent } from './audit-event.schema';
export type { AuditChainLink } from './audit-event.schema';

// A tamper-evident audit trail (peer table §3 item 12; only CloudTrail has something like it, as
// digest files). Each route's audit documents form a hash chain: a document's `chain.hash` is
// SHA-256 over the previous document's hash and the document's own fields, in revision order.
// Changing a stored document (its URL, author, time…) breaks its hash; removing or reordering one
// breaks the next document's `prev`. `chain.link` (the previous hash, or the route's genesis) has a
// unique index, so two writers can never both append after the same document: the loser's insert
// fails and it retries from the new head. GET /api/v1/audit/verify walks the chains.
//
// One chain per route, not per tenant: a route's events share a Kafka partition (its key), so one
// consumer appends to it at a time, in order; a tenant's events are spread over every partition.

export interface ChainHead {
  hash: string;
  revision: number;
}

export function routeChainKey(route: RouteKey): string {
  return `${route.tenant}/${route.service}/${route.env}/${route.version}`;
}

function genesis(route: RouteKey): string {
  return `genesis:${routeChainKey(route)}`;
}

// Where a route's document of this revision sits in its chain (unique).
export function chainPosition(route: RouteKey, revision: number): string {
  return `${routeChainKey(route)}#${revision}`;
}

// The fields that make up the event, in a fixed order; processed_at (when it was stored) and
// metadata are not part of it. force_reason, added later, is appended only when present, so the
// hashes of documents stored before it existed are unchanged.
function canonical(doc: AuditEvent): string {
  const fields = [
    doc.event_id,
    doc.event_type,
    doc.action,
    doc.route.tenant,
    doc.route.service,
    doc.route.env,
    doc.route.version,
    doc.url,
    doc.previous_url,
    doc.previous_state,
    doc.changed_by,
    doc.changed_by_key_id,
    doc.correlation_id,
    doc.revision,
    new Date(doc.occurred_at).toISOString(),
  ];
  if (typeof doc.force_reason === 'string') fields.push(doc.force_reason);
  return JSON.stringify(fields);
}

export function chainHash(prev: string | null, doc: AuditEvent): string {
  return createHash('sha256')
    .update(`${prev ?? ''}\n${canonical(doc)}`)
    .digest('hex');
}

// Links `docs` (new documents, not yet stored) onto their routes' chains, whose current heads are
// `heads` (by routeChainKey). Per route in revision order; a document whose revision is not above
// its route's head (an event that arrives after a later one was chained) or that has no revision
// (events from before revisions existed) is stored unchained, and verification counts it as such.
// Returns the documents in the order they must be inserted (a chain's order).
export function linkDocuments(docs: AuditEvent[], heads: Map<string, ChainHead>): AuditEvent[] {
  const byRoute = new Map<string, AuditEvent[]>();
  for (const doc of docs) {
    const key = routeChainKey(doc.route);
    const list = byRoute.get(key) ?? [];
    list.push(doc);
    byRoute.set(key, list);
  }
  const ordered: AuditEvent[] = [];
  for (const [key, list] of byRoute) {
    list.sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    let head = heads.get(key);
    for (const doc of list) {
      if (doc.revision !== null && doc.revision > (head?.revision ?? 0)) {
        const prev = head?.hash ?? null;
        const hash = chainHash(prev, doc);
        doc.chain = { prev, hash, link: prev ?? genesis(doc.route), at: chainPosition(doc.route, doc.revision) };
        head = { hash, revision: doc.revision };
      }
      ordered.push(doc);
    }
  }
  return ordered;
}

export type ChainProblem = 'hash_mismatch' | 'prev_mismatch' | 'missing';

export interface BrokenLink {
  event_id: string;
  service: string;
  env: string;
  version: string;
  revision: number | null;
  problem: ChainProblem;
}

export interface ChainVerification {
  routes: number;
  documents: number;
  chained: number;
  unchained: number;
  // Committed changes (PostgreSQL's route history) with no audit document.
  missing: number;
  broken: BrokenLink[];
}

const MAX_REPORTED = 100;

// Walks documents sorted by route, then revision: each chained one must hash to its `chain.hash`
// (hash_mismatch: its content was changed) and name the previous chained document of its route as
// `prev` (prev_mismatch: one was removed, added or moved in between).
export class ChainVerifier {
  private readonly result: ChainVerification = { routes: 0, documents: 0, chained: 0, unchained: 0, missing: 0, broken: [] };
  private brokenCount = 0;
  private route: string | undefined;
  private lastHash: string | null = null;

  add(doc: AuditEvent): void {
    this.result.documents += 1;
    const key = routeChainKey(doc.route);
    if (key !== this.route) {
      this.route = key;
      this.lastHash = null;
      this.result.routes += 1;
    }
    const chain = doc.chain;
    if (!chain?.hash) {
      this.result.unchained += 1;
      return;
    }
    this.result.chained += 1;
    if (chainHash(chain.prev ?? null, doc) !== chain.hash) this.report(doc, 'hash_mismatch');
    else if ((chain.prev ?? null) !== this.lastHash) this.report(doc, 'prev_mismatch');
    this.lastHash = chain.hash;
  }

  // A committed change whose event has no document in the trail.
  missing(change: { eventId: string; service: string; env: string; version: string; revision: number }): void {
    this.result.missing += 1;
    this.brokenCount += 1;
    if (this.result.broken.length >= MAX_REPORTED) return;
    const { eventId, service, env, version, revision } = change;
    this.result.broken.push({ event_id: eventId, service, env, version, revision, problem: 'missing' });
  }

  done(): ChainVerification & { broken_total: number } {
    return { ...this.result, broken_total: this.brokenCount };
  }

  private report(doc: AuditEvent, problem: ChainProblem): void {
    this.brokenCount += 1;
    if (this.result.broken.length >= MAX_REPORTED) return;
    const { service, env, version } = doc.route;
    this.result.broken.push({ event_id: doc.event_id, service, env, version, revision: doc.revision, problem });
  }
}
