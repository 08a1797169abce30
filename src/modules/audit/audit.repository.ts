import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ConnectionStates, FilterQuery, Model } from 'mongoose';
import { RouteAction } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';
import { AuditPosition } from './audit-cursor';
import { DependencyBreakers } from '../resilience/dependency-breakers';
import { AuditEvent } from './audit-event.schema';

export interface AuditFilter {
  route?: Partial<RouteKey>;
  action?: RouteAction;
  from?: Date;
  to?: Date;
}

const DUPLICATE_KEY = 11000;
const NEWEST_FIRST = { occurred_at: -1, event_id: -1 } as const;

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
  async insert(doc: AuditEvent): Promise<'inserted' | 'duplicate'> {
    try {
      await this.breakers.mongodb.execute(() => this.model.create(doc));
      return 'inserted';
    } catch (err) {
      if ((err as { code?: unknown }).code === DUPLICATE_KEY) return 'duplicate';
      throw err;
    }
  }

  // Idempotent batch insert: one upsert per document keyed by event_id that only ever inserts
  // ($setOnInsert), unordered, in one round trip. Per document, in order: 'duplicate' when that
  // event_id was already stored (also by a concurrent writer: E11000), else 'inserted'.
  async insertMany(docs: AuditEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    const ops = docs.map((doc) => ({
      updateOne: { filter: { event_id: doc.event_id }, update: { $setOnInsert: doc }, upsert: true },
    }));
    let upserted: Record<number, unknown>;
    try {
      upserted = (await this.breakers.mongodb.execute(() => this.model.bulkWrite(ops, { ordered: false, throwOnValidationError: true }))).upsertedIds;
    } catch (err) {
      const { writeErrors, result } = err as { writeErrors?: Array<{ code?: unknown }>; result?: { upsertedIds?: Record<number, unknown> } };
      if (!writeErrors?.length || !result?.upsertedIds || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
      upserted = result.upsertedIds;
    }
    return docs.map((_, i) => (i in upserted ? 'inserted' : 'duplicate'));
  }

  // Newest first; `after` continues a listing strictly after that position (keyset pagination).
  find(filter: AuditFilter, after: AuditPosition | undefined, limit: number): Promise<AuditEvent[]> {
    return this.breakers.mongodb.execute(() => this.model.find(toQuery(filter, after)).sort(NEWEST_FIRST).limit(limit).lean<AuditEvent[]>().exec());
  }

  private async createIndexes(): Promise<void> {
    try {
      await this.model.createIndexes();
    } catch (err) {
      this.logger.error(`Could not create the audit indexes: ${(err as Error).message}`);
    }
  }
}

function toQuery(filter: AuditFilter, after: AuditPosition | undefined): FilterQuery<AuditEvent> {
  const query: FilterQuery<AuditEvent> = {};
  for (const field of ['tenant', 'service', 'env', 'version'] as const) {
    const value = filter.route?.[field];
    if (value !== undefined) query[`route.${field}`] = value;
  }
  if (filter.action !== undefined) query.action = filter.action;
  if (filter.from || filter.to) {
    query.occurred_at = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lte: filter.to }) };
  }
  if (after) {
    query.$or = [
      { occurred_at: { $lt: after.occurredAt } },
      { occurred_at: after.occurredAt, event_id: { $lt: after.eventId } },
    ];
  }
  return query;
}
