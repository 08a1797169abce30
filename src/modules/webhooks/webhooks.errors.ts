import { DomainError } from '../../common/errors/domain.error';

export class WebhookNotFoundError extends DomainError {
  readonly code = 'WEBHOOK.NOT_FOUND';

  constructor(id: string) {
    super(`No webhook ${id}`, undefined, { id });
  }
}

export class WebhookDeliveryNotFoundError extends DomainError {
  readonly code = 'WEBHOOK.DELIVERY_NOT_FOUND';

  constructor(webhookId: string, id: string) {
    super(`No delivery ${id} of webhook ${webhookId}`, undefined, { webhook_id: webhookId, id });
  }
}

// 409: a tenant holds at most WEBHOOK_MAX_PER_TENANT webhooks (each event is sent once per webhook).
export class WebhookLimitError extends DomainError {
  readonly code = 'WEBHOOK.LIMIT_REACHED';

  constructor(tenant: string, limit: number) {
    super(`Tenant ${tenant} already has ${limit} webhooks, the most allowed (WEBHOOK_MAX_PER_TENANT); delete one first`, undefined, {
      tenant,
      limit,
    });
  }
}

export class InvalidWebhookCursorError extends DomainError {
  readonly code = 'VALIDATION.FAILED';

  constructor() {
    super('Invalid request: cursor is not a cursor returned by this API', [{ field: 'cursor', problem: 'is not a cursor returned by this API' }]);
  }
}
