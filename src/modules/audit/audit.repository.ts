import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConnectionStates, Model } from 'mongoose';
import { inScope, TenantScope } from '../../contracts/principal';
import { AuditPosition } from './audit-cursor';
import { AuditFilter, toAuditQuery } from './audit-filter';
import { DependencyBreakers } from '../resilience';
import { AuditEvent } from './audit-event.schema';

const DUPLICATE_KEY = 11000;
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

  // A redelivered event hits the unique event_id index: that is the expected outcome of
  // at-least-once delivery, not a failure.
  async insert(scope: TenantScope, doc: AuditEvent): Promise<'inserted' | 'duplicate'> {
    assertInScope(scope, [doc]);
    try {
      await this.breakers.mongodb.execute(() => this.model.create(doc));
      return 'inserted';
    } catch (err) {
      if ((err as { code?: unknown }).code === DUPLICATE_KEY) return 'duplicate';
      throw err;
    }
  }

  // Idempotent batch insert: one unordered insertMany, in one round trip, without document hydration
  // (lean). The unique event_id index turns a redelivered event into E11000 for that document only;
  // per document, in order: 'duplicate' for those, else 'inserted'. Plain inserts cost the MongoDB
  // server a fraction of $setOnInsert upserts (measured 1,400-2,500 vs 450-1,200 events/s on
  // mongo-java-server), and the index makes them just as idempotent.
  async insertMany(scope: TenantScope, docs: AuditEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    assertInScope(scope, docs);
    const outcome: Array<'inserted' | 'duplicate'> = docs.map(() => 'inserted');
    try {
      await this.breakers.mongodb.execute(() => this.model.insertMany(docs, { ordered: false, lean: true }));
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ index?: number; code?: unknown; err?: { index?: number; code?: unknown } }> }).writeErrors;
      if (!writeErrors?.length) throw err;
      for (const e of writeErrors) {
        const index = e.index ?? e.err?.index;
        if ((e.code ?? e.err?.code) !== DUPLICATE_KEY || index === undefined) throw err;
        outcome[index] = 'duplicate';
      }
    }
    return outcome;
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
    } catch (err) {
      this.logger.error(`Could not create the audit indexes: ${(err as Error).message}`);
    }
  }
}

// The recorder refuses such events one by one before they get here; this guards the invariant.
function assertInScope(scope: TenantScope, docs: AuditEvent[]): void {
  const foreign = docs.find((doc) => !inScope(scope, doc.route.tenant));
  if (foreign) throw new Error(`Audit write outside the writer's tenant scope (event ${foreign.event_id})`);
}
