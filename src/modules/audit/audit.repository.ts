import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConnectionStates, Model, mongo } from 'mongoose';
import { inScope, TenantScope } from '../../contracts/principal';
import { AuditPosition } from './audit-cursor';
import { AuditFilter, toAuditQuery } from './audit-filter';
import { DependencyBreakers } from '../resilience';
import { AuditEvent } from './audit-event.schema';
import { ChainHead, routeChainKey } from './audit-chain';
import { RouteKey } from '../../contracts/route-key';

const DUPLICATE_KEY = 11000;

export type InsertOutcome = 'inserted' | 'duplicate' | 'stored-elsewhere' | 'conflict';
const NEWEST_FIRST = { occurred_at: -1, event_id: -1 } as const;

// Every method takes a TenantScope first: reads are intersected with it in the MongoDB query itself,
// writes refuse documents outside it. The audit_log consumer writes with ALL_TENANTS.
@Injectable()
export class AuditRepository implements OnModuleInit {
  private readonly logger = new Logger(AuditRepository.name);

  constructor(
    @InjectModel(AuditEvent.name) private readonly model: Model<AuditEvent>,
    private readonly breakers: DependencyBreakers,
  ) {}

  // On every (re)connection, so a process that started while Mongo was down still gets the unique
  // event_id index. Creating existing indexes is a no-op.
  async onModuleInit(): Promise<void> {
    this.model.db.on('connected', () => void this.createIndexes());
    if (this.model.db.readyState === ConnectionStates.connected) await this.createIndexes();
  }

  // The chained documents at these positions: the heads a writer links after. A chained document's
  // `_id` is its position (storedWithId), so this is a lookup on the index every collection has.
  // Through the driver: mongoose would cast the ids to ObjectIds.
  async chainAt(positions: string[]): Promise<Map<string, ChainHead>> {
    const heads = new Map<string, ChainHead>();
    if (positions.length === 0) return heads;
    this.requireOpened();
    // mongoose's collection is the driver's; typed here with the string ids chained documents have.
    const collection = this.model.collection as unknown as mongo.Collection<StoredAuditEvent>;
    const docs = await this.breakers.mongodb.execute(() =>
      collection
        .find<Pick<AuditEvent, 'route' | 'revision' | 'chain'>>(
          { _id: { $in: positions } },
          { projection: { route: 1, revision: 1, 'chain.hash': 1, _id: 0 } },
        )
        .toArray(),
    );
    for (const doc of docs)
      if (doc.chain && doc.revision !== null) heads.set(routeChainKey(doc.route), { hash: doc.chain.hash, revision: doc.revision });
    return heads;
  }

  // The last chained document of each route (highest revision), read the slow, certain way: for
  // routes whose quick lookup proved wrong (a gap in their chain, or a concurrent writer).
  async chainHeads(routes: RouteKey[]): Promise<Map<string, ChainHead>> {
    const heads = new Map<string, ChainHead>();
    for (const route of routes) {
      const [doc] = await this.breakers.mongodb.execute(() =>
        this.model
          .find(
            {
              'route.tenant': route.tenant,
              'route.service': route.service,
              'route.env': route.env,
              'route.version': route.version,
              'chain.hash': { $exists: true },
            },
            { revision: 1, 'chain.hash': 1, _id: 0 },
          )
          .sort({ revision: -1 })
          .limit(1)
          .lean<Array<Pick<AuditEvent, 'revision' | 'chain'>>>()
          .exec(),
      );
      if (doc?.chain && doc.revision !== null) heads.set(routeChainKey(route), { hash: doc.chain.hash, revision: doc.revision });
    }
    return heads;
  }

  // One unordered insert. Per document refused by a unique index: `duplicate` when that event is
  // stored already at the same place in its chain (a redelivery: same fields, same hash),
  // `stored-elsewhere` when it is stored but chained differently or not at all (the stored copy
  // stands; what this writer linked after it must be linked again), `conflict` when it is not stored
  // and its chain position is taken.
  async insertLinked(scope: TenantScope, docs: AuditEvent[]): Promise<Map<string, InsertOutcome>> {
    assertInScope(scope, docs);
    const outcome = new Map<string, InsertOutcome>(docs.map((doc) => [doc.event_id, 'inserted']));
    if (docs.length === 0) return outcome;
    this.requireOpened();
    try {
      await this.breakers.mongodb.execute(() => this.model.insertMany(docs.map(storedWithId), { ordered: false, lean: true }));
      return outcome;
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index?: number; code?: unknown; err?: { index?: number; code?: unknown } }> }).writeErrors;
      if (!writeErrors?.length) throw err;
      const refused: AuditEvent[] = [];
      for (const e of writeErrors) {
        const index = e.index ?? e.err?.index;
        if ((e.code ?? e.err?.code) !== DUPLICATE_KEY || index === undefined) throw err;
        refused.push(docs[index]);
      }
      const stored = await this.breakers.mongodb.execute(() =>
        this.model
          .find({ event_id: { $in: refused.map((doc) => doc.event_id) } }, { event_id: 1, 'chain.hash': 1, _id: 0 })
          .lean<Array<Pick<AuditEvent, 'event_id' | 'chain'>>>()
          .exec(),
      );
      const storedHash = new Map(stored.map((doc) => [doc.event_id, doc.chain?.hash ?? null]));
      for (const doc of refused) {
        if (!storedHash.has(doc.event_id)) outcome.set(doc.event_id, 'conflict');
        else outcome.set(doc.event_id, storedHash.get(doc.event_id) === (doc.chain?.hash ?? null) ? 'duplicate' : 'stored-elsewhere');
      }
      return outcome;
    }
  }

  // mongoose 8's Model.insertMany, called before the connection first opened (a process that started
  // while MongoDB was down, bufferCommands off), throws from inside a callback: its promise never
  // settles and the caller hangs for good (an audit_log batch stuck, a test timing out). Every other
  // method rejects as it should. So it is refused here first, as the failure it is.
  private requireOpened(): void {
    if ((this.model.collection as unknown as { collection?: unknown }).collection == null) {
      throw new Error('MongoDB connection has not opened yet (the process started while MongoDB was down); retrying');
    }
  }

  // Takes back documents this writer just stored (the successors of one that could not be linked).
  async deleteEvents(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.breakers.mongodb.execute(() => this.model.deleteMany({ event_id: { $in: eventIds } }).exec());
  }

  // Every document of a tenant (optionally one route), by route then revision: what verification
  // walks. A cursor, so a large trail is not held in memory; at most `limit` documents.
  async *chainOrder(scope: TenantScope, tenant: string, route: Partial<RouteKey>, limit: number): AsyncGenerator<AuditEvent> {
    if (!inScope(scope, tenant)) return;
    const match: Record<string, string> = { 'route.tenant': tenant };
    for (const field of ['service', 'env', 'version'] as const) if (route[field]) match[`route.${field}`] = route[field]!;
    const cursor = this.model
      .find(match)
      .sort({ 'route.service': 1, 'route.env': 1, 'route.version': 1, revision: 1, processed_at: 1 })
      .limit(limit)
      .lean<AuditEvent>()
      .cursor();
    for await (const doc of cursor) yield doc as AuditEvent;
  }

  // Newest first; `after` continues a listing strictly after that position (keyset pagination).
  // A tenant filter naming a tenant outside the scope matches nothing (no query is sent).
  async find(scope: TenantScope, filter: AuditFilter, after: AuditPosition | undefined, limit: number): Promise<AuditEvent[]> {
    const query = toAuditQuery(scope, filter, after);
    if (!query) return [];
    return this.breakers.mongodb.execute(() => this.model.find(query).sort(NEWEST_FIRST).limit(limit).lean<AuditEvent[]>().exec());
  }

  // When the audit_log group recorded this event (its processed_at), or null if it has not (yet);
  // by the unique event_id index. Only the event's own tenant sees it, like every read here.
  async recordedAt(scope: TenantScope, eventId: string): Promise<Date | null> {
    const query = toAuditQuery(scope, {}, undefined);
    if (!query) return null;
    const doc = await this.breakers.mongodb.execute(() =>
      this.model
        .findOne({ ...query, event_id: eventId }, { processed_at: 1, _id: 0 })
        .lean<Pick<AuditEvent, 'processed_at'>>()
        .exec(),
    );
    return doc ? doc.processed_at : null;
  }

  private async createIndexes(): Promise<void> {
    try {
      await this.model.createIndexes();
      await this.dropRetiredIndexes();
    } catch (err) {
      this.logger.error(`Could not create the audit indexes: ${(err as Error).message}`);
    }
  }

  // chain_at_idx (unique `chain.at`, 2026-12-03) became the `_id` of chained documents the next day:
  // the same lookup and uniqueness without a fourth unique index on every insert. Documents chained
  // before keep their ObjectId; a writer that finds no head for them links the slow, certain way once.
  private async dropRetiredIndexes(): Promise<void> {
    const indexes = await this.model.collection.indexes();
    if (indexes.some((index) => index.name === RETIRED_CHAIN_AT_INDEX)) await this.model.collection.dropIndex(RETIRED_CHAIN_AT_INDEX);
  }
}

const RETIRED_CHAIN_AT_INDEX = 'chain_at_idx';

// A chained document is stored with its chain position as `_id`: unique (one document per position)
// and what chainAt looks up. Unchained ones get the driver's ObjectId.
type StoredAuditEvent = AuditEvent & { _id: string | mongo.ObjectId };

function storedWithId(doc: AuditEvent): AuditEvent | StoredAuditEvent {
  return doc.chain ? { _id: doc.chain.at, ...doc } : doc;
}

// The recorder refuses such events one by one before they get here; this guards the invariant.
function assertInScope(scope: TenantScope, docs: AuditEvent[]): void {
  const foreign = docs.find((doc) => !inScope(scope, doc.route.tenant));
  if (foreign) throw new Error(`Audit write outside the writer's tenant scope (event ${foreign.event_id})`);
}
