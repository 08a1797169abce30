import { Injectable } from '@nestjs/common';
import { GuardedQueries } from '../route-store';
import { CURSOR_AT, PageCursor, WebhookRecord } from './webhooks.repository';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  id: string;
  subscriptionId: string;
  tenant: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  cursorAt: string;
}

// A delivery the dispatcher has claimed, with what it needs to send it.
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  body: string;
  attempts: number;
  url: string;
  secrets: string[];
}

// One event as the `webhooks` group offers it to the subscriptions: the fields filters match on,
// and the body every matching subscription is sent.
export interface WebhookEventRow {
  event_id: string;
  tenant: string;
  service: string;
  env: string;
  action: string;
  event_type: string;
  body: string;
}

export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const DELIVERY_COLUMNS = `id, subscription_id AS "subscriptionId", tenant, event_id AS "eventId", event_type AS "eventType",
  status, attempts, next_attempt_at AS "nextAttemptAt", created_at AS "createdAt", last_attempt_at AS "lastAttemptAt",
  delivered_at AS "deliveredAt", last_status_code AS "lastStatusCode", last_error AS "lastError",
  last_duration_ms AS "lastDurationMs", ${CURSOR_AT}`;

// The deliveries of webhook subscriptions, in PostgreSQL: each row is both the dispatcher's work
// queue entry and its delivery log. A delivery is claimed with FOR UPDATE SKIP LOCKED, so any number
// of consumer processes share the work and none sends a row another holds. Every query goes through
// the database breaker (GuardedQueries).
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(private readonly db: GuardedQueries) {}

  // One delivery per (matching, enabled subscription, event), in one statement; an event seen again
  // (a Kafka redelivery) adds nothing. Returns how many deliveries were added.
  async enqueue(events: WebhookEventRow[]): Promise<number> {
    if (events.length === 0) return 0;
    const rows = await this.db.query<Array<{ n: number }>>(
      `WITH added AS (
         INSERT INTO webhook_deliveries (id, subscription_id, tenant, event_id, event_type, body)
         SELECT gen_random_uuid(), s.id, e.tenant, e.event_id, e.event_type, e.body
         FROM jsonb_to_recordset($1::jsonb) AS e(event_id text, tenant text, service text, env text, action text, event_type text, body text)
         JOIN webhook_subscriptions s ON s.tenant = e.tenant AND s.enabled
          AND (cardinality(s.services) = 0 OR e.service = ANY (s.services))
          AND (cardinality(s.envs) = 0 OR e.env = ANY (s.envs))
          AND (cardinality(s.actions) = 0 OR e.action = ANY (s.actions))
         ON CONFLICT (subscription_id, event_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM added`,
      [JSON.stringify(events)],
    );
    return rows[0].n;
  }

  // A test delivery for one subscription (POST /api/v1/webhooks/{id}/ping).
  async enqueueOne(subscription: WebhookRecord, id: string, eventId: string, eventType: string, body: string): Promise<DeliveryRecord> {
    const rows = await this.db.query<DeliveryRecord[]>(
      `INSERT INTO webhook_deliveries (id, subscription_id, tenant, event_id, event_type, body)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${DELIVERY_COLUMNS}`,
      [id, subscription.id, subscription.tenant, eventId, eventType, body],
    );
    return rows[0];
  }

  // Up to `limit` due deliveries of enabled subscriptions, oldest due first. Claiming pushes the
  // row's next attempt `leaseMs` ahead and counts the attempt, in the same statement: a process that
  // dies while sending leaves the row to be claimed again once the lease has passed.
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.db.query<[Array<ClaimedDelivery & { secret: string; previousSecret: string | null; previousValid: boolean }>, number]>(
      `UPDATE webhook_deliveries d
       SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), attempts = d.attempts + 1, last_attempt_at = now()
       FROM (SELECT w.id FROM webhook_deliveries w
             JOIN webhook_subscriptions ws ON ws.id = w.subscription_id AND ws.enabled
             WHERE w.status = 'pending' AND w.next_attempt_at <= now()
             ORDER BY w.next_attempt_at LIMIT $1 FOR UPDATE OF w SKIP LOCKED) due,
            webhook_subscriptions s
       WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id AS "subscriptionId", d.event_id AS "eventId", d.event_type AS "eventType", d.body,
                 d.attempts, s.url, s.secret, s.previous_secret AS "previousSecret",
                 (s.previous_secret_expires_at IS NOT NULL AND s.previous_secret_expires_at > now()) AS "previousValid"`,
      [limit, leaseMs],
    );
    return rows[0].map(({ secret, previousSecret, previousValid, ...rest }) => ({
      ...rest,
      secrets: previousValid && previousSecret ? [secret, previousSecret] : [secret],
    }));
  }

  // A success also ends its webhook's run of failures.
  async recordDelivered(id: string, result: AttemptResult): Promise<void> {
    await this.db.query(
      `WITH d AS (
         UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), last_status_code = $2, last_error = NULL, last_duration_ms = $3
         WHERE id = $1 RETURNING subscription_id)
       UPDATE webhook_subscriptions s SET failing_since = NULL FROM d WHERE s.id = d.subscription_id AND s.failing_since IS NOT NULL`,
      [id, result.statusCode, result.durationMs],
    );
  }

  // A failed attempt: retried at `retryAt`, or, when null, failed for good (a dead letter). Its
  // webhook's run of failures starts now if it had none; a webhook still enabled whose run began
  // `disableAfterMs` ago or more (0: never) is disabled, in the same statement: true when this
  // attempt disabled it.
  async recordFailed(id: string, result: AttemptResult, retryAt: Date | null, disableAfterMs: number): Promise<boolean> {
    // An UPDATE … RETURNING: TypeORM answers [rows, count].
    const [rows] = await this.db.query<[Array<{ disabled: boolean }>, number]>(
      `WITH d AS (
         UPDATE webhook_deliveries
         SET status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
             next_attempt_at = coalesce($4::timestamptz, next_attempt_at),
             last_status_code = $2, last_error = left($3, 500), last_duration_ms = $5
         WHERE id = $1 RETURNING subscription_id),
       judged AS (
         SELECT ws.id, ws.enabled AND $6::double precision > 0 AND ws.failing_since IS NOT NULL
                AND ws.failing_since <= now() - make_interval(secs => $6::double precision / 1000) AS disable
         FROM webhook_subscriptions ws JOIN d ON ws.id = d.subscription_id
         FOR UPDATE OF ws)
       UPDATE webhook_subscriptions w
       SET failing_since = coalesce(w.failing_since, now()),
           enabled = w.enabled AND NOT judged.disable,
           disabled_reason = CASE WHEN judged.disable THEN 'delivery_failures' ELSE w.disabled_reason END,
           disabled_at = CASE WHEN judged.disable THEN now() ELSE w.disabled_at END,
           updated_at = CASE WHEN judged.disable THEN now() ELSE w.updated_at END
       FROM judged WHERE w.id = judged.id
       RETURNING judged.disable AS disabled`,
      [id, result.statusCode, result.error, retryAt, result.durationMs, disableAfterMs],
    );
    return rows[0]?.disabled === true;
  }

  async listDeliveries(subscriptionId: string, filter: { status?: DeliveryStatus; cursor?: PageCursor; limit: number }): Promise<DeliveryRecord[]> {
    return this.db.query<DeliveryRecord[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
       WHERE subscription_id = $1 AND ($2::varchar IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [subscriptionId, filter.status ?? null, filter.cursor?.createdAt ?? null, filter.cursor?.id ?? null, filter.limit],
    );
  }

  async findDelivery(subscriptionId: string, id: string): Promise<DeliveryRecord | undefined> {
    const rows = await this.db.query<DeliveryRecord[]>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2`, [
      id,
      subscriptionId,
    ]);
    return rows[0];
  }

  // Send it again now, with a full set of attempts (a dead letter, or a delivered one on request).
  async retry(subscriptionId: string, id: string): Promise<DeliveryRecord | undefined> {
    const rows = await this.db.query<[DeliveryRecord[], number]>(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), attempts = 0
       WHERE id = $1 AND subscription_id = $2 RETURNING ${DELIVERY_COLUMNS}`,
      [id, subscriptionId],
    );
    return rows[0][0];
  }

  // For "is my change live?": when the event was first queued for a webhook (null: not yet), and
  // whether any enabled webhook of the tenant wants such an event at all.
  async queueState(event: {
    eventId: string;
    tenant: string;
    service: string;
    env: string;
    action: string;
  }): Promise<{ queuedAt: Date | null; wanted: boolean }> {
    const rows = await this.db.query<Array<{ queuedAt: Date | null; wanted: boolean }>>(
      `SELECT (SELECT min(created_at) FROM webhook_deliveries WHERE event_id = $1) AS "queuedAt",
              EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.tenant = $2 AND s.enabled
                      AND (cardinality(s.services) = 0 OR $3 = ANY (s.services))
                      AND (cardinality(s.envs) = 0 OR $4 = ANY (s.envs))
                      AND (cardinality(s.actions) = 0 OR $5 = ANY (s.actions))) AS wanted`,
      [event.eventId, event.tenant, event.service, event.env, event.action],
    );
    return rows[0];
  }

  // Finished deliveries older than the retention, a bounded number per call.
  async prune(retentionHours: number, max = 5000): Promise<number> {
    const rows = await this.db.query<Array<{ n: number }>>(
      `WITH gone AS (
         DELETE FROM webhook_deliveries WHERE id IN (
           SELECT id FROM webhook_deliveries
           WHERE status <> 'pending' AND created_at < now() - make_interval(hours => $1) LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [retentionHours, max],
    );
    return rows[0].n;
  }
}
