import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { Principal, TenantScope } from '../../contracts/principal';
import { Caller, CallerScope, RequiresRole } from '../auth';
import { BulkheadInterceptor, DrainInterceptor, OperationClass } from '../resilience';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  DeliveryParamDto,
  ListDeliveriesQueryDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryListResponseDto,
  WebhookIdParamDto,
  WebhookListResponseDto,
  WebhookResponseDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const DEFAULT_PAGE_SIZE = 100;
const SCOPE = "A tenant admin sees its tenant's webhooks only; another tenant's answers 404.";

// Change webhooks: each route event of the tenant, as a signed CloudEvent, POSTed to the URLs its
// admins register; retried with backoff, each attempt in the delivery log (docs/design.md, "Webhooks").
@ApiTags('webhooks')
@Controller('api/v1/webhooks')
@UseInterceptors(DrainInterceptor, BulkheadInterceptor)
@OperationClass('audit')
// On every handler too: a handler's @OperationClass('writes') (its bulkhead) would otherwise let writers in.
@RequiresRole('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @OperationClass('writes')
  @RequiresRole('admin')
  @ApiOperation({
    summary: 'Register a webhook (the signing secret is shown once)',
    description:
      'Every route change of the tenant matching the filters is POSTed to `url` as a CloudEvent 1.0 (application/cloudevents+json) ' +
      'signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256>). ' +
      'A 2xx answer within WEBHOOK_TIMEOUT_MS is delivered; anything else is retried with backoff, up to WEBHOOK_MAX_ATTEMPTS.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookResponseDto })
  @ApiResponse({
    status: HttpStatus.CONFLICT,
    description: 'WEBHOOK.LIMIT_REACHED: the tenant has WEBHOOK_MAX_PER_TENANT webhooks',
    type: ErrorResponseDto,
  })
  @ApiErrors(400, 413, 415, 503)
  create(@Caller() caller: Principal, @Body() body: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(caller, body);
  }

  @Get()
  @ApiOperation({ summary: 'List webhooks, newest first, with cursor pagination (never their secrets)', description: SCOPE })
  @ApiOkResponse({ type: WebhookListResponseDto })
  @ApiErrors(400, 503)
  list(@CallerScope() scope: TenantScope, @Query() query: ListWebhooksQueryDto): Promise<WebhookListResponseDto> {
    return this.webhooks.list(scope, { tenant: query.tenant, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook (never its secret)', description: SCOPE })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrors(400, 404, 503)
  get(@CallerScope() scope: TenantScope, @Param() params: WebhookIdParamDto): Promise<WebhookResponseDto> {
    return this.webhooks.get(scope, params.id);
  }

  @Patch(':id')
  @OperationClass('writes')
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Pause or resume a webhook', description: 'While disabled, no delivery is queued for it and queued ones wait.' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrors(400, 404, 413, 415, 503)
  update(@CallerScope() scope: TenantScope, @Param() params: WebhookIdParamDto, @Body() body: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return this.webhooks.setEnabled(scope, params.id, body.enabled);
  }

  @Delete(':id')
  @OperationClass('writes')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a webhook and its delivery log', description: 'Deliveries not yet sent are dropped with it.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 404, 503)
  async delete(@CallerScope() scope: TenantScope, @Param() params: WebhookIdParamDto): Promise<void> {
    await this.webhooks.delete(scope, params.id);
  }

  @Post(':id/rotate-secret')
  @OperationClass('writes')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Rotate the signing secret (the new one is shown once)',
    description:
      'For 24 hours every request carries two signatures, by the new and the previous secret, so receivers can switch without losing events.',
  })
  @ApiOkResponse({ type: CreatedWebhookResponseDto })
  @ApiErrors(400, 404, 503)
  rotate(@CallerScope() scope: TenantScope, @Param() params: WebhookIdParamDto): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.rotateSecret(scope, params.id);
  }

  @Post(':id/ping')
  @OperationClass('writes')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a signed test event (com.traffic-manager.webhook.ping)',
    description: 'Queued like a route event; follow it in the delivery log.',
  })
  @ApiResponse({ status: HttpStatus.ACCEPTED, type: WebhookDeliveryDto, description: 'The queued delivery' })
  @ApiErrors(400, 404, 503)
  ping(@Caller() caller: Principal, @Param() params: WebhookIdParamDto): Promise<WebhookDeliveryDto> {
    return this.webhooks.ping(caller, params.id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook's delivery log, newest first, with cursor pagination", description: SCOPE })
  @ApiOkResponse({ type: WebhookDeliveryListResponseDto })
  @ApiErrors(400, 404, 503)
  deliveries(
    @CallerScope() scope: TenantScope,
    @Param() params: WebhookIdParamDto,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<WebhookDeliveryListResponseDto> {
    return this.webhooks.deliveries(scope, params.id, { status: query.status, cursor: query.cursor, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'One delivery: its status, attempts and last answer' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiErrors(400, 404, 503)
  delivery(@CallerScope() scope: TenantScope, @Param() params: DeliveryParamDto): Promise<WebhookDeliveryDto> {
    return this.webhooks.delivery(scope, params.id, params.deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @OperationClass('writes')
  @RequiresRole('admin')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a delivery again now (a failed one, or a delivered one on request)',
    description: 'It becomes pending with a full set of attempts; the same webhook-id, so receivers can deduplicate.',
  })
  @ApiResponse({ status: HttpStatus.ACCEPTED, type: WebhookDeliveryDto, description: 'The delivery, pending again' })
  @ApiErrors(400, 404, 503)
  retry(@CallerScope() scope: TenantScope, @Param() params: DeliveryParamDto): Promise<WebhookDeliveryDto> {
    return this.webhooks.retry(scope, params.id, params.deliveryId);
  }
}
