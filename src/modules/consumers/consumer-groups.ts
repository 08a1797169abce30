import { DynamicModule, Type } from '@nestjs/common';
import { CONSUMER_GROUP_NAMES, ConsumerGroupName } from '../../contracts/consumer-group-names';
import { HealthIndicatorResult } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from '../../infra/database/database.health';
import { MongoHealthIndicator } from '../../infra/mongo/mongo.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
import { AuditStoreModule } from '../audit';
import { Dependency } from '../resilience';
import { RouteStoreModule } from '../route-store';
import { AUDIT_LOG_TRANSPORT, AuditLogConsumer } from './audit-log.consumer';
import { CACHE_INVALIDATION_TRANSPORT, CacheInvalidationConsumer } from './cache-invalidation.consumer';
import { CACHE_WARMING_TRANSPORT, CacheWarmingConsumer } from './cache-warming.consumer';
import { CacheReconciler } from './cache-reconciler';
import { WEBHOOKS_TRANSPORT, WebhooksConsumer } from './webhooks.consumer';
import { WebhookDeliveryModule } from '../webhooks';

export interface ReadinessIndicator {
  check(key: string): Promise<HealthIndicatorResult>;
}

export interface ConsumerGroupDefinition {
  // The controller whose @EventPattern(ROUTE_EVENTS_PATTERN, transport) receives the group's batches.
  handler: Type<unknown>;
  transport: symbol;
  // Modules providing the stores the handler injects. Only enabled groups' modules are imported, so
  // a process without audit_log never opens MongoDB.
  stores: Array<Type<unknown> | DynamicModule>;
  // The store its retries hit, whose retry budget they spend.
  retryBudget: Dependency;
  // /health/ready entries (name -> indicator) besides Kafka and the group's own `consumer:<group>`.
  readiness: Record<string, Type<ReadinessIndicator>>;
  // Background work that belongs with the group (providers started with the process), if any.
  workers?: Array<Type<unknown>>;
}

// Every consumer group, defined once: the consumer process's modules, its readiness checks and its
// Kafka transports all come from this table (docs/design.md, "Consumers"); its keys must be exactly
// CONSUMER_GROUP_NAMES (src/contracts), which config validation reads. A function, not a constant:
// the modules named here import config, so a table built at load time could capture a module that is
// still loading.
export function consumerGroups(): Record<ConsumerGroupName, ConsumerGroupDefinition> {
  return {
    cache_invalidation: {
      handler: CacheInvalidationConsumer,
      transport: CACHE_INVALIDATION_TRANSPORT,
      stores: [RouteStoreModule],
      retryBudget: 'redis',
      readiness: { redis: RedisHealthIndicator },
      // Anti-entropy for what the group keeps current: finds and repairs what events missed.
      workers: [CacheReconciler],
    },
    cache_warming: {
      handler: CacheWarmingConsumer,
      transport: CACHE_WARMING_TRANSPORT,
      stores: [RouteStoreModule],
      retryBudget: 'database',
      readiness: { redis: RedisHealthIndicator, database: DatabaseHealthIndicator },
    },
    audit_log: {
      handler: AuditLogConsumer,
      transport: AUDIT_LOG_TRANSPORT,
      stores: [AuditStoreModule],
      retryBudget: 'mongodb',
      readiness: { mongodb: MongoHealthIndicator },
    },
    webhooks: {
      handler: WebhooksConsumer,
      transport: WEBHOOKS_TRANSPORT,
      stores: [WebhookDeliveryModule],
      retryBudget: 'database',
      readiness: { database: DatabaseHealthIndicator },
    },
  };
}

export type ConsumerGroupType = ConsumerGroupName;

export function consumerGroupNames(): ConsumerGroupType[] {
  return [...CONSUMER_GROUP_NAMES];
}

// Same group ids as the seed (`traffic-manager-cache_invalidation`, ...), so committed offsets carry over.
export function groupId(prefix: string, type: ConsumerGroupType): string {
  return `${prefix}-${type}`;
}
