import { DynamicModule, FactoryProvider, Provider } from '@nestjs/common';
import { TRANSPORT_METADATA } from '@nestjs/microservices/constants';
import { HealthIndicatorFunction } from '@nestjs/terminus';
import { MongoHealthIndicator } from '../../infra/mongo/mongo.health';
import { RedisHealthIndicator } from '../../infra/redis/redis.health';
import { AuditStoreModule } from '../audit/audit-store.module';
import { RouteStoreModule } from '../route-store/route-store.module';
import { CacheInvalidationConsumer } from './cache-invalidation.consumer';
import { ConsumerHealthController } from './consumer-health.controller';
import { consumerGroupNames, consumerGroups, ConsumerGroupType } from './consumer-groups';
import { CONSUMER_READINESS_CHECKS } from './consumers.constants';
import { ConsumersModule } from './consumers.module';

function readinessProvider(module: DynamicModule): FactoryProvider<HealthIndicatorFunction[]> {
  return (module.providers as Provider[]).find((p) => (p as FactoryProvider).provide === CONSUMER_READINESS_CHECKS) as FactoryProvider;
}

// Runs the readiness factory with indicators that answer with their entry's name.
function readinessKeys(groups: ConsumerGroupType[]): Promise<string[]> {
  const provider = readinessProvider(ConsumersModule.register(groups));
  const consumers = { check: (group: string) => ({ [`consumer:${group}`]: { status: 'up' } }) };
  const stores = provider.inject!.slice(1).map(() => ({ check: async (key: string) => ({ [key]: { status: 'up' } }) }));
  const checks = provider.useFactory(consumers, ...stores) as HealthIndicatorFunction[];
  return Promise.all(checks.map(async (check) => Object.keys(await check())[0]));
}

describe(ConsumersModule.name, () => {
  it('should load neither the audit store nor a MongoDB check for a cache-only process', () => {
    const module = ConsumersModule.register(['cache_invalidation']);

    expect(module.imports).toContain(RouteStoreModule);
    expect(module.imports).not.toContain(AuditStoreModule);
    expect(module.controllers).toEqual([ConsumerHealthController, CacheInvalidationConsumer]);
    expect(module.providers).not.toContain(MongoHealthIndicator);
    expect(readinessProvider(module).inject).not.toContain(MongoHealthIndicator);
  });

  it('should load only the audit store for an audit-only process', () => {
    const module = ConsumersModule.register(['audit_log']);

    expect(module.imports).toContain(AuditStoreModule);
    expect(module.imports).not.toContain(RouteStoreModule);
    expect(module.providers).not.toContain(RedisHealthIndicator);
  });

  it('should report each enabled group and each store its groups need once', async () => {
    expect(await readinessKeys(['cache_invalidation'])).toEqual(['consumer:cache_invalidation', 'redis']);
    expect(await readinessKeys(['cache_invalidation', 'cache_warming'])).toEqual([
      'consumer:cache_invalidation',
      'consumer:cache_warming',
      'redis',
      'database',
    ]);
    expect(await readinessKeys(['audit_log'])).toEqual(['consumer:audit_log', 'mongodb']);
  });

  it.each(consumerGroupNames())('should bind the %s handler to its own transport and deliver under its own name', (group) => {
    const { handler, transport } = consumerGroups()[group];
    const deliver = jest.fn();
    const instance = new (handler as new (...args: unknown[]) => { handle(batch: unknown, ctx: unknown): unknown })({ deliver }, {}, {});

    instance.handle({ messages: [] }, {});

    expect(Reflect.getMetadata(TRANSPORT_METADATA, instance.handle)).toBe(transport);
    expect(deliver.mock.calls[0][0]).toBe(group);
  });
});
