import { KafkaContext } from '@nestjs/microservices';
import { ClsService } from 'nestjs-cls';
import { AsyncLocalStorage } from 'async_hooks';
import { Counter, Registry } from 'prom-client';
import { DomainError } from '../../common/errors/domain.error';
import { EventDelivery } from './event-delivery';

class PoisonError extends DomainError {
  readonly code = 'AUDIT.INVALID_EVENT';
}

const event = {
  event_id: '0b7c3c2e-3a55-4b0e-9a57-1c7c7d1d2f10',
  event_type: 'route_changed',
  action: 'created',
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: 'v1',
  url: 'https://a.example.com',
  revision: 1,
  correlation_id: 'corr-9',
  occurred_at: '2026-11-21T10:00:00.000Z',
};

function setup() {
  const registers = [new Registry()];
  const counter = (name: string) => new Counter({ name, help: name, labelNames: ['group'], registers });
  const commits: unknown[] = [];
  const sent: any[] = [];
  const ctx = {
    getTopic: () => 'route-events',
    getPartition: () => 3,
    getHeartbeat: () => async () => undefined,
    getConsumer: () => ({ commitOffsets: async (offsets: unknown[]) => commits.push(...offsets) }),
    getProducer: () => ({ send: async (record: unknown) => sent.push(record) }),
  } as unknown as KafkaContext;
  const sut = new EventDelivery(
    new ClsService(new AsyncLocalStorage()),
    { deadLetterTopic: 'route-events.dlq' } as any,
    counter('processed'),
    counter('failed'),
    counter('dead'),
    counter('dup'),
  );
  return { sut, ctx, commits, sent };
}

describe(EventDelivery.name, () => {
  it('should commit the next offset only after the handler succeeded, retrying a failing store', async () => {
    const { sut, ctx, commits } = setup();
    let calls = 0;
    const apply = jest.fn(async () => {
      calls += 1;
      if (calls < 3) throw new Error('store down');
      expect(commits).toHaveLength(0);
      return 'applied' as const;
    });

    await sut.deliver('audit_log', { key: 'k', value: event, offset: '41' }, ctx, apply);

    expect(apply).toHaveBeenCalledTimes(3);
    expect(commits).toEqual([{ topic: 'route-events', partition: 3, offset: '42' }]);
  });

  it('should run the handler with the event correlation id as the CLS id', async () => {
    const { sut, ctx } = setup();
    let seen: string | undefined;
    const cls = (sut as any).cls as ClsService;

    await sut.deliver('audit_log', { key: 'k', value: event, offset: '1' }, ctx, async () => {
      seen = cls.getId();
      return 'applied';
    });

    expect(seen).toBe('corr-9');
  });

  it('should dead-letter a message that is not a route event, with the reason, and commit it', async () => {
    const { sut, ctx, commits, sent } = setup();
    const apply = jest.fn();

    await sut.deliver('cache_warming', { key: 'k', value: 'garbage', headers: { 'x-correlation-id': 'c' }, offset: '7' }, ctx, apply);

    expect(apply).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('route-events.dlq');
    expect(sent[0].messages[0]).toMatchObject({
      key: 'k',
      value: 'garbage',
      headers: { 'x-correlation-id': 'c', 'x-dlq-reason': 'value is not a JSON object', 'x-dlq-group': 'cache_warming', 'x-original-offset': '7' },
    });
    expect(commits).toEqual([{ topic: 'route-events', partition: 3, offset: '8' }]);
  });

  it('should dead-letter instead of retrying when the handler rejects the event as invalid', async () => {
    const { sut, ctx, commits, sent } = setup();
    const apply = jest.fn(async () => {
      throw new PoisonError('occurred_at cannot be stored');
    });

    await sut.deliver('audit_log', { key: 'k', value: event, offset: '9' }, ctx, apply);

    expect(apply).toHaveBeenCalledTimes(1);
    expect(sent[0].messages[0].headers['x-dlq-reason']).toBe('AUDIT.INVALID_EVENT: occurred_at cannot be stored');
    expect(commits).toEqual([{ topic: 'route-events', partition: 3, offset: '10' }]);
  });
});
