import { Injectable } from '@nestjs/common';
import { ConsumerGroupName } from '../../contracts/consumer-group-names';
import { TenantScope } from '../../contracts/principal';
import { RouteKey } from '../../contracts/route-key';
import { AuditRecorder } from '../audit';
import { OutboxReader } from '../outbox';
import { WebhookDeliveriesRepository } from '../webhooks';
import { AppliedMark, APPLIED_MARK_TTL_SECONDS, RouteCache, RouteHistoryRepository, RouteRevisionRecord } from '../route-store';
import { RouteNotFoundError, RouteRevisionNotFoundError } from './routes.errors';

// done: the stage has this revision (or a later one) in effect; pending: not yet; unknown: this
// instance cannot tell (the store that knows is unreachable, or what recorded it is no longer kept).
export type StageState = 'done' | 'pending' | 'unknown';

export interface Stage {
  state: StageState;
  // When the stage reached the revision it reports, where that is known.
  at: Date | null;
  // The revision the stage holds, where it keeps one (the shared cache, the cache groups' marks).
  revision?: number | null;
}

export type StageName = 'committed' | 'published' | 'shared_cache' | ConsumerGroupName;

export interface PropagationStatus {
  revision: number;
  currentRevision: number;
  // Every API instance serves this revision or a later one: committed, and the cache_invalidation
  // group applied it (which stores it in Redis and announces it to every instance's in-process tier).
  // null when that cannot be told right now.
  live: boolean | null;
  stages: Record<StageName, Stage>;
}

const UNKNOWN: Stage = { state: 'unknown', at: null };

// "Is my change live?" (docs/design.md): where one revision of a route has got to, stage by stage,
// read from the stores each stage writes to: PostgreSQL (the revision and its outbox row), Redis (the
// shared cache entry and each cache group's applied mark) and MongoDB (the audit document). Nothing
// is written on the write path for it. A store that cannot be read makes its stages `unknown`; only
// PostgreSQL is required (it says whether the revision exists).
@Injectable()
export class RoutePropagation {
  constructor(
    private readonly history: RouteHistoryRepository,
    private readonly cache: RouteCache,
    private readonly outbox: OutboxReader,
    private readonly audit: AuditRecorder,
    private readonly webhooks: WebhookDeliveriesRepository,
  ) {}

  // `revision` undefined: the route's current revision.
  async status(scope: TenantScope, key: RouteKey, revision?: number): Promise<PropagationStatus> {
    const found = await this.history.findRevision(scope, key, revision ?? null);
    if (!found) throw new RouteNotFoundError(key);
    const record = found.revision;
    if (!record) {
      throw new RouteRevisionNotFoundError(key, revision ?? found.currentRevision, found.currentRevision, found.oldestRevision, undefined, 'kept');
    }
    const [published, sharedCache, marks, audited, webhooks] = await Promise.all([
      this.published(record),
      this.sharedCache(key, record.revision),
      this.cache.appliedMarks(key).catch(() => null),
      this.audited(scope, record),
      this.webhookStage(key, record),
    ]);
    // Every consumer group has a stage (the compiler checks this against CONSUMER_GROUP_NAMES).
    const groups: Record<ConsumerGroupName, Stage> = {
      cache_invalidation: groupStage('cache_invalidation', record, marks),
      cache_warming: groupStage('cache_warming', record, marks),
      audit_log: audited,
      webhooks,
    };
    const invalidation = groups.cache_invalidation.state;
    return {
      revision: record.revision,
      currentRevision: found.currentRevision,
      live: invalidation === 'unknown' ? null : invalidation === 'done',
      stages: { committed: { state: 'done', at: record.changedAt }, published, shared_cache: sharedCache, ...groups },
    };
  }

  // Queued for the tenant's webhooks: done once a delivery exists for the event (its sending is in
  // the webhook's delivery log), or at once when no enabled webhook of the tenant wants it.
  private async webhookStage(key: RouteKey, record: RouteRevisionRecord): Promise<Stage> {
    if (record.eventId === null || record.action === 'baseline') return UNKNOWN;
    try {
      const { queuedAt, wanted } = await this.webhooks.queueState({ eventId: record.eventId, ...key, action: record.action });
      if (queuedAt) return { state: 'done', at: queuedAt };
      return wanted ? { state: 'pending', at: null } : { state: 'done', at: null };
    } catch {
      return UNKNOWN;
    }
  }

  // The outbox row of the revision's event. Only published rows are ever removed (after
  // OUTBOX_RETENTION_HOURS), so a missing row of an event that was written means published.
  private async published(record: RouteRevisionRecord): Promise<Stage> {
    if (record.eventId === null) return UNKNOWN;
    try {
      const publication = await this.outbox.publication(record.eventId);
      if (!publication.kept) return { state: 'done', at: null };
      return publication.publishedAt ? { state: 'done', at: publication.publishedAt } : { state: 'pending', at: null };
    } catch {
      return UNKNOWN;
    }
  }

  // Redis holds this revision or a later one, or nothing (a miss reads PostgreSQL, the truth): done.
  // An older entry is what a resolve would still be served from Redis: pending.
  private async sharedCache(key: RouteKey, revision: number): Promise<Stage> {
    const entry = await this.cache.lookup(key);
    switch (entry.kind) {
      case 'error':
        return { ...UNKNOWN, revision: null };
      case 'miss':
        return { state: 'done', at: null, revision: null };
      default:
        return { state: entry.revision >= revision ? 'done' : 'pending', at: null, revision: entry.revision };
    }
  }

  private async audited(scope: TenantScope, record: RouteRevisionRecord): Promise<Stage> {
    if (record.eventId === null) return UNKNOWN;
    try {
      const at = await this.audit.recordedAt(scope, record.eventId);
      return at ? { state: 'done', at } : { state: 'pending', at: null };
    } catch {
      return UNKNOWN;
    }
  }
}

// A cache group's applied mark is its high-water mark for the route. No mark (or an older one) for a
// revision committed longer ago than marks are kept cannot be told apart from "never applied".
function groupStage(group: ConsumerGroupName, record: RouteRevisionRecord, marks: Map<string, AppliedMark> | null): Stage {
  if (marks === null) return { ...UNKNOWN, revision: null };
  const mark = marks.get(group);
  if (mark && mark.revision >= record.revision) return { state: 'done', at: mark.appliedAt, revision: mark.revision };
  const expired = Date.now() - record.changedAt.getTime() > APPLIED_MARK_TTL_SECONDS * 1000;
  return { state: expired ? 'unknown' : 'pending', at: null, revision: mark?.revision ?? null };
}
