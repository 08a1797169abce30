import { Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { ClsService } from 'nestjs-cls';
import { AsyncLocalStorage } from 'async_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DomainError } from '../../common/errors/domain.error';
import { RouteChangedEvent } from '../../contracts/route-event';
import { ConsumedMessage, RouteEventBatch } from '../../infra/kafka/route-events-server';
import { DependencyBreakers } from '../resilience/dependency-breakers';
import { CircuitOpenError } from '../resilience/resilience.errors';
import { BatchOutcome, CHUNK_SIZE, EventDelivery } from './event-delivery';

class PoisonError extends DomainError {
  readonly code = 'AUDIT.INVALID_EVENT';
}

const event = (i: number): RouteChangedEvent => ({
  event_id: `0b7c3c2e-3a55-4b0e-9a57-${String(i).padStart(12, '0')}`,
  event_type: 'route_changed',
  action: 'created',
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: `v${i}`,
  url: 'https://a.example.com',
  previous_url: null,
  previous_state: null,
  revision: 1,
  changed_by: null,
  changed_by_key_id: null,
  correlation_id: `corr-${i}`,
  occurred_at: '2026-11-21T10:00:00.000Z',
});

const message = (offset: number, value: unknown = event(offset), headers: Record<string, unknown> = {}): ConsumedMessage => ({
  key: `k${offset}`,
  value,
  headers,
  offset: String(offset),
});

function batchOf(messages: ConsumedMessage[], active = () => true) {
  const marked: string[] = [];
  const batch: RouteEventBatch = { messages, markDone: (offset) => marked.push(offset), isActive: active };
  return { batch, marked };
}

function setup() {
  const registry = new Registry();
  const counter = (name: string) => new Counter({ name, help: name, labelNames: ['group'], registers: [registry] });
  const sent: any[] = [];
  const ctx = {
    getTopic: () => 'route-events',
    getPartition: () => 3,
    getHeartbeat: () => async () => undefined,
    getProducer: () => ({ send: async (record: unknown) => sent.push(record) }),
  } as unknown as KafkaContext;
  const cls = new ClsService(new AsyncLocalStorage());
  const sut = new EventDelivery(
    cls,
    { deadLetterTopic: 'route-events.dlq' } as any,
    counter('processed'),
    counter('failed'),
    counter('dead'),
    counter('dup'),
    new Histogram({ name: 'delay', help: 'delay', labelNames: ['group'], buckets: [0.1, 60, 3600], registers: [registry] }),
    new DependencyBreakers(
      { breaker: { failureThreshold: 5, halfOpenAfterMs: 1000 }, retryBudget: { percent: 20, minRetries: 1000, windowMs: 10_000 } } as any,
      new Gauge({ name: 'breaker_state', help: 'x', labelNames: ['dependency'], registers: [registry] }),
    ),
    { cache_invalidation: 'redis', cache_warming: 'database', audit_log: 'mongodb', webhooks: 'database' },
  );
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.group)?.value ?? 0;
  return { sut, ctx, sent, cls, metric, registry };
}

const applyAll = (outcome: BatchOutcome = 'applied') => jest.fn(async (events: RouteChangedEvent[]) => events.map(() => outcome));

describe(EventDelivery.name, () => {
  it('should apply a batch in one call and mark it done only after the store succeeded, retrying a failing store', async () => {
    const { sut, ctx, metric } = setup();
    const { batch, marked } = batchOf([message(40), message(41), message(42)]);
    let calls = 0;
    const apply = jest.fn(async (events: RouteChangedEvent[]) => {
      calls += 1;
      if (calls < 3) throw new Error('store down');
      expect(marked).toEqual([]);
      return events.map(() => 'applied' as const);
    });

    await sut.deliver('audit_log', batch, ctx, apply);

    expect(apply).toHaveBeenCalledTimes(3);
    expect(apply.mock.calls[2][0].map((e) => e.version)).toEqual(['v40', 'v41', 'v42']);
    expect(marked).toEqual(['42']);
    expect(await metric('processed')).toBe(3);
    expect(await metric('failed')).toBe(2);
  });

  it("should retry, not dead-letter, while the store's circuit is open", async () => {
    const { sut, ctx, sent, metric } = setup();
    const { batch, marked } = batchOf([message(50)]);
    let calls = 0;
    const apply = jest.fn(async (events: RouteChangedEvent[]) => {
      calls += 1;
      if (calls < 2) throw new CircuitOpenError('redis');
      return events.map(() => 'applied' as const);
    });

    await sut.deliver('cache_invalidation', batch, ctx, apply);

    expect(sent).toEqual([]);
    expect(marked).toEqual(['50']);
    expect(await metric('processed')).toBe(1);
  });

  it('should count each event of a batch as processed or duplicate', async () => {
    const { sut, ctx, metric } = setup();
    const { batch } = batchOf([message(1), message(2), message(3)]);

    await sut.deliver('audit_log', batch, ctx, async () => ['applied', 'duplicate', 'applied']);

    expect(await metric('processed')).toBe(2);
    expect(await metric('dup')).toBe(1);
  });

  it('should observe, for each applied event but not for duplicates, the time since it occurred', async () => {
    const { sut, ctx, registry } = setup();
    const now = Date.now();
    const at = (i: number, msAgo: number) => ({ ...event(i), occurred_at: new Date(now - msAgo).toISOString() });
    const { batch } = batchOf([message(1, at(1, 50)), message(2, at(2, 30_000)), message(3, at(3, 10)), message(4, at(4, -5_000))]);

    await sut.deliver('audit_log', batch, ctx, async () => ['applied', 'applied', 'duplicate', 'applied']);

    const values = (await registry.getSingleMetric('delay')!.get()).values as Array<{
      metricName?: string;
      labels: Record<string, unknown>;
      value: number;
    }>;
    const bucket = (le: number) => values.find((v) => v.metricName === 'delay_bucket' && v.labels.le === le)!.value;
    expect(values.find((v) => v.metricName === 'delay_count')!.labels).toEqual({ group: 'audit_log' });
    expect(values.find((v) => v.metricName === 'delay_count')!.value).toBe(3);
    // 50 ms ago, and a clock 5 s ahead of ours (counted as 0), within 0.1 s; 30 s ago within 60 s.
    expect([bucket(0.1), bucket(60), bucket(3600)]).toEqual([2, 3, 3]);
  });

  it('should dead-letter a poison message in the middle of a batch with its headers and the reason, and apply the rest', async () => {
    const { sut, ctx, sent, metric } = setup();
    const { batch, marked } = batchOf([message(6), message(7, 'garbage', { 'x-correlation-id': 'c' }), message(8)]);
    const apply = applyAll();

    await sut.deliver('cache_warming', batch, ctx, apply);

    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply.mock.calls[0][0].map((e) => e.version)).toEqual(['v6', 'v8']);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('route-events.dlq');
    expect(sent[0].messages).toHaveLength(1);
    expect(sent[0].messages[0]).toMatchObject({
      key: 'k7',
      value: 'garbage',
      headers: {
        'x-correlation-id': 'c',
        'x-dlq-reason': 'value is not a JSON object',
        'x-dlq-group': 'cache_warming',
        'x-original-offset': '7',
        'x-original-partition': '3',
      },
    });
    expect(marked).toEqual(['8']);
    expect(await metric('processed')).toBe(2);
    expect(await metric('dead')).toBe(1);
  });

  it('should dead-letter the events the store refuses as invalid, without retrying', async () => {
    const { sut, ctx, sent, metric } = setup();
    const { batch, marked } = batchOf([message(9), message(10)]);
    const apply = jest.fn(async () => [new PoisonError('occurred_at cannot be stored'), 'applied' as const]);

    await sut.deliver('audit_log', batch, ctx, apply);

    expect(apply).toHaveBeenCalledTimes(1);
    expect(sent[0].messages.map((m: any) => [m.key, m.headers['x-dlq-reason']])).toEqual([
      ['k9', 'AUDIT.INVALID_EVENT: occurred_at cannot be stored'],
    ]);
    expect(marked).toEqual(['10']);
    expect(await metric('processed')).toBe(1);
  });

  it('should apply the events one by one when the store refuses the whole batch, to find the invalid one', async () => {
    const { sut, ctx, sent } = setup();
    const { batch, marked } = batchOf([message(1), message(2), message(3)]);
    const apply = jest.fn(async (events: RouteChangedEvent[]) => {
      if (events.some((e) => e.version === 'v2')) throw new PoisonError('v2 cannot be stored');
      return events.map(() => 'applied' as const);
    });

    await sut.deliver('audit_log', batch, ctx, apply);

    expect(apply.mock.calls.map(([events]) => events.map((e) => e.version))).toEqual([['v1', 'v2', 'v3'], ['v1'], ['v2'], ['v3']]);
    expect(sent[0].messages.map((m: any) => m.key)).toEqual(['k2']);
    expect(marked).toEqual(['3']);
  });

  it('should log a dead-lettered message with its own correlation id', async () => {
    const { sut, ctx, cls } = setup();
    const seen: Array<string | undefined> = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => seen.push(cls.getId()));
    try {
      const poison = { ...event(5), action: 'exploded' };
      await sut.deliver('audit_log', batchOf([message(5, poison)]).batch, ctx, applyAll());
    } finally {
      warn.mockRestore();
    }

    expect(seen).toEqual(['corr-5']);
  });

  it('should mark the finished chunks of a long batch when a later chunk cannot be stored before shutdown', async () => {
    const { sut, ctx } = setup();
    const messages = Array.from({ length: CHUNK_SIZE * 2 + 10 }, (_, i) => message(i));
    const { batch, marked } = batchOf(messages);
    const apply = jest.fn(async (events: RouteChangedEvent[]) => {
      if (events[0].version === `v${CHUNK_SIZE}`) {
        setImmediate(() => sut.beforeApplicationShutdown());
        throw new Error('store down');
      }
      return events.map(() => 'applied' as const);
    });

    await expect(sut.deliver('audit_log', batch, ctx, apply)).rejects.toThrow();

    expect(apply.mock.calls[0][0]).toHaveLength(CHUNK_SIZE);
    expect(marked).toEqual([String(CHUNK_SIZE - 1)]);
  });

  it('should stop between chunks once the partition is no longer its own', async () => {
    const { sut, ctx } = setup();
    let active = true;
    const { batch, marked } = batchOf(
      Array.from({ length: CHUNK_SIZE + 1 }, (_, i) => message(i)),
      () => active,
    );
    const apply = jest.fn(async (events: RouteChangedEvent[]) => {
      active = false;
      return events.map(() => 'applied' as const);
    });

    await sut.deliver('cache_invalidation', batch, ctx, apply);

    expect(apply).toHaveBeenCalledTimes(1);
    expect(marked).toEqual([String(CHUNK_SIZE - 1)]);
  });
});
