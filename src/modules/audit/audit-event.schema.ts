import { Prop, raw, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import { ROUTE_ACTIONS, ROUTE_CHANGED_EVENT, RouteAction, RouteState } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';

// A document's place in its route's hash chain (audit-chain.ts).
export interface AuditChainLink {
  prev: string | null;
  hash: string;
  // The previous hash, or `genesis:<route>`: unique, so no two documents follow the same one.
  link: string;
  // `<route>#<revision>`, also the document's `_id` (audit.repository.ts): unique, and how a writer
  // finds the document its next one follows.
  at: string;
}

// The seed's audit document, field for field, plus correlation_id, revision and changed_by_key_id (the
// seed dropped the first and had no revisions or keys). Dates are BSON dates, i.e. UTC instants.
// minimize: false keeps `metadata: {}` in the stored document, as the seed wrote it.
@Schema({ versionKey: false, timestamps: false, minimize: false })
export class AuditEvent {
  @Prop({ type: String, required: true })
  event_id: string;

  @Prop({ type: String, required: true, default: ROUTE_CHANGED_EVENT })
  event_type: string;

  @Prop({ type: String, required: true, enum: ROUTE_ACTIONS })
  action: RouteAction;

  @Prop(
    raw({
      tenant: { type: String, required: true },
      service: { type: String, required: true },
      env: { type: String, required: true },
      version: { type: String, required: true },
    }),
  )
  route: RouteKey;

  @Prop({ type: String, default: null })
  url: string | null;

  @Prop({ type: String, default: null })
  previous_url: string | null;

  @Prop({ type: String, enum: ['active', 'inactive'], default: null })
  previous_state: RouteState | null;

  // The API key's name, and its id (changed_by_key_id, an addition); null in documents from before
  // authentication existed.
  @Prop({ type: String, default: null })
  changed_by: string | null;

  @Prop({ type: String, default: null })
  changed_by_key_id: string | null;

  @Prop({ type: String, default: null })
  correlation_id: string | null;

  @Prop({ type: Number, default: null })
  revision: number | null;

  @Prop({ type: Date, required: true })
  occurred_at: Date;

  @Prop({ type: Date, required: true })
  processed_at: Date;

  @Prop({ type: MongooseSchema.Types.Mixed, default: () => ({}) })
  metadata: Record<string, unknown>;

  // The change was forced past the tenant's write-time interlock with this reason (an addition; absent
  // when it was not forced). Part of the chain's hash when present.
  @Prop({ type: String, default: undefined })
  force_reason?: string;

  // The route's hash chain (audit-chain.ts): absent on documents written before it existed and on
  // events that arrived after a later one of their route.
  @Prop({ type: MongooseSchema.Types.Mixed, default: undefined })
  chain?: AuditChainLink;
}

// The seed's four indexes, same names and keys, and the chain's. event_id_idx makes a redelivered
// event a duplicate key; chain_link_idx keeps each route's chain a single line; `_id` (a chained
// document's position) keeps one document per position.
export function buildAuditEventSchema(collection: string): MongooseSchema<AuditEvent> {
  const schema = SchemaFactory.createForClass(AuditEvent);
  schema.set('collection', collection);
  schema.index({ 'route.tenant': 1, 'route.service': 1, 'route.env': 1, 'route.version': 1, occurred_at: -1 }, { name: 'route_occurred_at_idx' });
  schema.index({ occurred_at: -1 }, { name: 'occurred_at_idx' });
  schema.index({ action: 1, occurred_at: -1 }, { name: 'action_occurred_at_idx' });
  schema.index({ event_id: 1 }, { name: 'event_id_idx', unique: true });
  // One document per chain position: a second writer appending after the same document fails.
  schema.index({ 'chain.link': 1 }, { name: 'chain_link_idx', unique: true, sparse: true });
  return schema;
}
