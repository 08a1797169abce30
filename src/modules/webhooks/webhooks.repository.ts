import { Injectable } from '@nestjs/common';
import { inScope, TenantScope } from '../../contracts/principal';
import { GuardedQueries } from '../route-store';

export interface WebhookRecord {
  id: string;
  tenant: string;
  url: string;
  description: string | null;
  services: string[];
  envs: string[];
  actions: string[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  enabled: boolean;
  failingSince: Date | null;
  disabledReason: DisabledReason | null;
  disabledAt: Date | null;
  createdAt: Date;
  createdBy: string;
  createdByKeyId: string;
  updatedAt: Date;
  cursorAt: string;
}

export type NewWebhook = Pick<
  WebhookRecord,
  'id' | 'tenant' | 'url' | 'description' | 'services' | 'envs' | 'actions' | 'secret' | 'createdBy' | 'createdByKeyId'
>;

// Why a webhook is disabled: an admin paused it, or its deliveries kept failing (WEBHOOK_DISABLE_AFTER_MS).
export type DisabledReason = 'paused' | 'delivery_failures';

// Keyset pages, newest first: (created_at, id) of the last row of the previous page.
export interface PageCursor {
  createdAt: string;
  id: string;
}

// created_at to the microsecond, for page cursors (a Date keeps milliseconds only).
export const CURSOR_AT = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"`;

const SUBSCRIPTION_COLUMNS = `id, tenant, url, description, services, envs, actions, secret,
  previous_secret AS "previousSecret", previous_secret_expires_at AS "previousSecretExpiresAt", enabled,
  failing_since AS "failingSince", disabled_reason AS "disabledReason", disabled_at AS "disabledAt",
  created_at AS "createdAt", created_by AS "createdBy", created_by_key_id AS "createdByKeyId", updated_at AS "updatedAt",
  ${CURSOR_AT}`;

// The webhook subscriptions, in PostgreSQL; their deliveries are WebhookDeliveriesRepository's.
// Every query goes through the database breaker (GuardedQueries).
@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: GuardedQueries) {}

  async create(record: NewWebhook): Promise<WebhookRecord> {
    const rows = await this.db.query<WebhookRecord[]>(
      `INSERT INTO webhook_subscriptions (id, tenant, url, description, services, envs, actions, secret, created_by, created_by_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [
        record.id,
        record.tenant,
        record.url,
        record.description,
        record.services,
        record.envs,
        record.actions,
        record.secret,
        record.createdBy,
        record.createdByKeyId,
      ],
    );
    return rows[0];
  }

  async countForTenant(tenant: string): Promise<number> {
    const rows = await this.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE tenant = $1`, [tenant]);
    return rows[0].n;
  }

  async find(scope: TenantScope, id: string): Promise<WebhookRecord | undefined> {
    const rows = await this.db.query<WebhookRecord[]>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1`, [id]);
    const found = rows[0];
    return found && inScope(scope, found.tenant) ? found : undefined;
  }

  async list(scope: TenantScope, filter: { tenant?: string; cursor?: PageCursor; limit: number }): Promise<WebhookRecord[]> {
    if (filter.tenant !== undefined && !inScope(scope, filter.tenant)) return [];
    const tenant = filter.tenant ?? scope.tenant;
    return this.db.query<WebhookRecord[]>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
       WHERE ($1::varchar IS NULL OR tenant = $1)
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tenant, filter.cursor?.createdAt ?? null, filter.cursor?.id ?? null, filter.limit],
    );
  }

  async delete(scope: TenantScope, id: string): Promise<WebhookRecord | undefined> {
    // TypeORM answers UPDATE and DELETE … RETURNING with [rows, affected count].
    const rows = await this.db.query<[WebhookRecord[], number]>(
      `DELETE FROM webhook_subscriptions WHERE id = $1 AND ($2::varchar IS NULL OR tenant = $2) RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [id, scope.tenant],
    );
    return rows[0][0];
  }

  // The current secret becomes the previous one, still signing until `graceMs` from now.
  async rotateSecret(scope: TenantScope, id: string, secret: string, graceMs: number): Promise<WebhookRecord | undefined> {
    const rows = await this.db.query<[WebhookRecord[], number]>(
      `UPDATE webhook_subscriptions
       SET previous_secret = secret, previous_secret_expires_at = now() + make_interval(secs => $4::double precision / 1000),
           secret = $3, updated_at = now()
       WHERE id = $1 AND ($2::varchar IS NULL OR tenant = $2) RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [id, scope.tenant, secret, graceMs],
    );
    return rows[0][0];
  }

  // Pausing records why; resuming starts its failure count afresh. Setting what it already is changes
  // nothing (a second pause keeps the first one's time, a disabled-for-failures webhook stays so).
  async setEnabled(scope: TenantScope, id: string, enabled: boolean): Promise<WebhookRecord | undefined> {
    const rows = await this.db.query<[WebhookRecord[], number]>(
      `UPDATE webhook_subscriptions
       SET enabled = $3,
           failing_since = CASE WHEN $3 AND NOT enabled THEN NULL ELSE failing_since END,
           disabled_reason = CASE WHEN $3 THEN NULL WHEN enabled THEN 'paused' ELSE disabled_reason END,
           disabled_at = CASE WHEN $3 THEN NULL WHEN enabled THEN now() ELSE disabled_at END,
           updated_at = CASE WHEN $3 = enabled THEN updated_at ELSE now() END
       WHERE id = $1 AND ($2::varchar IS NULL OR tenant = $2) RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [id, scope.tenant, enabled],
    );
    return rows[0][0];
  }

  // The tenants among `tenants` that have an enabled webhook: most events belong to tenants with
  // none, and are then done without building or sending their bodies.
  async tenantsWithWebhooks(tenants: string[]): Promise<Set<string>> {
    if (tenants.length === 0) return new Set();
    const rows = await this.db.query<Array<{ tenant: string }>>(
      `SELECT DISTINCT tenant FROM webhook_subscriptions WHERE enabled AND tenant = ANY ($1::varchar[])`,
      [tenants],
    );
    return new Set(rows.map((row) => row.tenant));
  }
}
