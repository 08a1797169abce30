import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsPageCursor, IsPageLimit } from '../../../common/validation/paging.decorator';
import { IsOptionalRouteName, ROUTE_NAME_PATTERN, ROUTE_NAME_PROBLEM } from '../../../common/validation/route-name.decorator';
import { ROUTE_ACTIONS } from '../../../contracts/route-event';
import { MAX_WEBHOOK_URL_LENGTH } from '../webhook-target';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
const MAX_FILTER_VALUES = 50;

export class CreateWebhookDto {
  @IsOptionalRouteName("The tenant whose route events are sent. Absent: the caller's own tenant (required from platform keys)")
  tenant?: string;

  @ApiProperty({
    example: 'https://hooks.example.com/traffic-manager',
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description:
      'Where to POST the events: https (http only with WEBHOOK_ALLOW_HTTP), no user name or password; loopback, private, ' +
      'link-local and reserved addresses are refused, also when a host name resolves to one at delivery time ' +
      '(unless WEBHOOK_ALLOW_PRIVATE_TARGETS)',
  })
  @IsString({ message: 'must be a string' })
  url: string;

  @ApiPropertyOptional({ example: 'Deploy bot for team-a', maxLength: 500 })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  description?: string;

  @ApiPropertyOptional({ type: [String], example: ['payments'], description: 'Only events of these services (absent or empty: every service)' })
  @IsOptional()
  @IsArray({ message: 'must be an array of names' })
  @ArrayMaxSize(MAX_FILTER_VALUES, { message: `must have at most ${MAX_FILTER_VALUES} names` })
  @IsString({ each: true, message: 'must be an array of names' })
  @Matches(ROUTE_NAME_PATTERN, { each: true, message: `each ${ROUTE_NAME_PROBLEM}` })
  services?: string[];

  @ApiPropertyOptional({ type: [String], example: ['prod'], description: 'Only events of these environments (absent or empty: every environment)' })
  @IsOptional()
  @IsArray({ message: 'must be an array of names' })
  @ArrayMaxSize(MAX_FILTER_VALUES, { message: `must have at most ${MAX_FILTER_VALUES} names` })
  @IsString({ each: true, message: 'must be an array of names' })
  @Matches(ROUTE_NAME_PATTERN, { each: true, message: `each ${ROUTE_NAME_PROBLEM}` })
  envs?: string[];

  @ApiPropertyOptional({
    enum: ROUTE_ACTIONS,
    isArray: true,
    example: ['updated', 'deactivated'],
    description: 'Only these changes (absent or empty: all four)',
  })
  @IsOptional()
  @IsArray({ message: `must be an array of ${ROUTE_ACTIONS.join(', ')}` })
  @IsIn(ROUTE_ACTIONS, { each: true, message: `each must be one of ${ROUTE_ACTIONS.join(', ')}` })
  actions?: string[];
}

export class UpdateWebhookDto {
  @ApiProperty({
    example: false,
    description:
      'false: nothing is queued or sent until it is true again (deliveries already queued wait). true also re-enables a webhook disabled for delivery failures and starts its failure count afresh',
  })
  @IsBoolean({ message: 'must be true or false' })
  enabled: boolean;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: 'https://hooks.example.com/traffic-manager' }) url: string;
  @ApiProperty({ nullable: true, type: String, example: 'Deploy bot for team-a' }) description: string | null;
  @ApiProperty({ type: [String], example: [] }) services: string[];
  @ApiProperty({ type: [String], example: ['prod'] }) envs: string[];
  @ApiProperty({ type: [String], example: [] }) actions: string[];
  @ApiProperty({ example: true }) enabled: boolean;
  @ApiProperty({
    nullable: true,
    enum: ['paused', 'delivery_failures'],
    description:
      'Why it is disabled: paused by an admin, or disabled by the dispatcher after its deliveries failed for WEBHOOK_DISABLE_AFTER_MS (3 days by default) with no success; null while enabled',
  })
  disabled_reason: 'paused' | 'delivery_failures' | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) disabled_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Since when its delivery attempts have failed with no success in between; null when the last attempt succeeded',
  })
  failing_since: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ example: 'team-a-admin' }) created_by: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'After a rotation: until when the previous secret still signs (each request then carries both signatures)',
  })
  previous_secret_expires_at: string | null;
}

export class CreatedWebhookResponseDto extends WebhookResponseDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks). Shown only when created or rotated: store it now',
  })
  secret: string;
}

export class WebhookListResponseDto {
  @ApiProperty({ type: [WebhookResponseDto] }) webhooks: WebhookResponseDto[];
  @ApiProperty({ example: 1 }) count: number;
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last one' }) next_cursor: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'The webhook-id header of every attempt' }) id: string;
  @ApiProperty({ format: 'uuid' }) webhook_id: string;
  @ApiProperty({ example: '0f8fad5b-d9cb-469f-a165-70867728950e', description: 'The route event (the CloudEvent id)' }) event_id: string;
  @ApiProperty({ example: 'com.traffic-manager.route.updated' }) event_type: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'pending: when the next attempt is due' })
  next_attempt_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) last_attempt_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) delivered_at: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 200, description: 'HTTP status of the last attempt; null when none came' })
  last_status_code: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'HTTP 503: try later' }) last_error: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 42 }) last_duration_ms: number | null;
}

export class WebhookDeliveryListResponseDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) deliveries: WebhookDeliveryDto[];
  @ApiProperty({ example: 1 }) count: number;
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class ListWebhooksQueryDto {
  @IsOptionalRouteName('Only webhooks of this tenant')
  tenant?: string;

  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: (typeof DELIVERY_STATUSES)[number];

  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}

export class WebhookIdParamDto {
  @ApiProperty({ format: 'uuid', example: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a' })
  @IsUUID('all', { message: 'must be a webhook id (a UUID)' })
  id: string;
}

export class DeliveryParamDto extends WebhookIdParamDto {
  @ApiProperty({ format: 'uuid', example: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d' })
  @IsUUID('all', { message: 'must be a delivery id (a UUID)' })
  deliveryId: string;
}
