import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'crypto';
import { webhooksConfig } from '../../config/webhooks.config';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { ScopeForbiddenError } from '../auth';
import { Principal, scopeOf, TenantScope } from '../../contracts/principal';
import { pingBody, PING_EVENT_TYPE } from './cloud-event';
import { encodeWebhookCursor, decodeWebhookCursor } from './webhook-cursor';
import { newWebhookSecret } from './webhook-signature';
import { webhookUrlProblem } from './webhook-target';
import { WebhookRecord, WebhooksRepository } from './webhooks.repository';
import { DeliveryRecord, DeliveryStatus, WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveryNotFoundError, WebhookLimitError, WebhookNotFoundError } from './webhooks.errors';
import type {
  CreateWebhookDto,
  CreatedWebhookResponseDto,
  WebhookDeliveryDto,
  WebhookDeliveryListResponseDto,
  WebhookListResponseDto,
  WebhookResponseDto,
} from './dto/webhook.dto';

// How long the previous secret keeps signing after a rotation: receivers switch within this time.
export const SECRET_ROTATION_GRACE_MS = 24 * 3600_000;

function invalid(field: string, problem: string): ValidationFailedError {
  return new ValidationFailedError([{ field, problem }]);
}

function toResponse(record: WebhookRecord): WebhookResponseDto {
  return {
    id: record.id,
    tenant: record.tenant,
    url: record.url,
    description: record.description,
    services: record.services,
    envs: record.envs,
    actions: record.actions,
    enabled: record.enabled,
    disabled_reason: record.enabled ? null : record.disabledReason,
    disabled_at: record.enabled ? null : (record.disabledAt?.toISOString() ?? null),
    failing_since: record.failingSince?.toISOString() ?? null,
    created_at: record.createdAt.toISOString(),
    created_by: record.createdBy,
    updated_at: record.updatedAt.toISOString(),
    previous_secret_expires_at:
      record.previousSecretExpiresAt && record.previousSecretExpiresAt.getTime() > Date.now() ? record.previousSecretExpiresAt.toISOString() : null,
  };
}

// One page of rows fetched with limit + 1: the extra row only says that a next page exists.
function pageOf<R extends { cursorAt: string; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(map), nextCursor: rows.length > limit ? encodeWebhookCursor(last.cursorAt, last.id) : null };
}

function toDelivery(record: DeliveryRecord): WebhookDeliveryDto {
  return {
    id: record.id,
    webhook_id: record.subscriptionId,
    event_id: record.eventId,
    event_type: record.eventType,
    status: record.status,
    attempts: record.attempts,
    next_attempt_at: record.status === 'pending' ? record.nextAttemptAt.toISOString() : null,
    created_at: record.createdAt.toISOString(),
    last_attempt_at: record.lastAttemptAt?.toISOString() ?? null,
    delivered_at: record.deliveredAt?.toISOString() ?? null,
    last_status_code: record.lastStatusCode,
    last_error: record.lastError,
    last_duration_ms: record.lastDurationMs,
  };
}

// Webhook subscriptions and their delivery logs, for the API (the sending is WebhookDispatcher's, in
// the consumer process). Tenant-scoped like everything else: another tenant's webhook is 404.
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly deliveryLog: WebhookDeliveriesRepository,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {}

  async create(caller: Principal, body: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    const tenant = body.tenant ?? caller.tenant;
    if (tenant === null || tenant === undefined) throw invalid('tenant', 'is required with a platform key');
    if (caller.tenant !== null && caller.tenant !== tenant) {
      throw new ScopeForbiddenError(`A key of tenant ${caller.tenant} can only create webhooks of tenant ${caller.tenant}`);
    }
    const problem = webhookUrlProblem(body.url, this.config);
    if (problem) throw invalid('url', problem);
    if ((await this.repository.countForTenant(tenant)) >= this.config.maxPerTenant) throw new WebhookLimitError(tenant, this.config.maxPerTenant);
    const secret = newWebhookSecret();
    const record = await this.repository.create({
      id: randomUUID(),
      tenant,
      url: body.url,
      description: body.description ?? null,
      services: [...new Set(body.services ?? [])],
      envs: [...new Set(body.envs ?? [])],
      actions: [...new Set(body.actions ?? [])],
      secret,
      createdBy: caller.keyName,
      createdByKeyId: caller.keyId,
    });
    return { ...toResponse(record), secret };
  }

  async list(scope: TenantScope, query: { tenant?: string; cursor?: string; limit: number }): Promise<WebhookListResponseDto> {
    const cursor = query.cursor === undefined ? undefined : decodeWebhookCursor(query.cursor);
    const page = pageOf(await this.repository.list(scope, { tenant: query.tenant, cursor, limit: query.limit + 1 }), query.limit, toResponse);
    return { webhooks: page.items, count: page.items.length, next_cursor: page.nextCursor };
  }

  async get(scope: TenantScope, id: string): Promise<WebhookResponseDto> {
    return toResponse(await this.found(scope, id));
  }

  async delete(scope: TenantScope, id: string): Promise<void> {
    if (!(await this.repository.delete(scope, id))) throw new WebhookNotFoundError(id);
  }

  async setEnabled(scope: TenantScope, id: string, enabled: boolean): Promise<WebhookResponseDto> {
    const record = await this.repository.setEnabled(scope, id, enabled);
    if (!record) throw new WebhookNotFoundError(id);
    return toResponse(record);
  }

  async rotateSecret(scope: TenantScope, id: string): Promise<CreatedWebhookResponseDto> {
    const secret = newWebhookSecret();
    const record = await this.repository.rotateSecret(scope, id, secret, SECRET_ROTATION_GRACE_MS);
    if (!record) throw new WebhookNotFoundError(id);
    return { ...toResponse(record), secret };
  }

  // Queues a signed test event for this webhook alone; its delivery shows in the log like any other.
  async ping(caller: Principal, id: string): Promise<WebhookDeliveryDto> {
    const webhook = await this.found(scopeOf(caller), id);
    const eventId = randomUUID();
    const body = pingBody(eventId, webhook.tenant, webhook.id, new Date().toISOString());
    return toDelivery(await this.deliveryLog.enqueueOne(webhook, randomUUID(), eventId, PING_EVENT_TYPE, body));
  }

  async deliveries(
    scope: TenantScope,
    id: string,
    query: { status?: DeliveryStatus; cursor?: string; limit: number },
  ): Promise<WebhookDeliveryListResponseDto> {
    await this.found(scope, id);
    const cursor = query.cursor === undefined ? undefined : decodeWebhookCursor(query.cursor);
    const rows = await this.deliveryLog.listDeliveries(id, { status: query.status, cursor, limit: query.limit + 1 });
    const page = pageOf(rows, query.limit, toDelivery);
    return { deliveries: page.items, count: page.items.length, next_cursor: page.nextCursor };
  }

  async delivery(scope: TenantScope, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.found(scope, id);
    const record = await this.deliveryLog.findDelivery(id, deliveryId);
    if (!record) throw new WebhookDeliveryNotFoundError(id, deliveryId);
    return toDelivery(record);
  }

  async retry(scope: TenantScope, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.found(scope, id);
    const record = await this.deliveryLog.retry(id, deliveryId);
    if (!record) throw new WebhookDeliveryNotFoundError(id, deliveryId);
    return toDelivery(record);
  }

  private async found(scope: TenantScope, id: string): Promise<WebhookRecord> {
    const record = await this.repository.find(scope, id);
    if (!record) throw new WebhookNotFoundError(id);
    return record;
  }
}
