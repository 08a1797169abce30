import { Counter, Registry } from 'prom-client';
import { RouteChangedEvent } from '../../contracts/route-event';
import { WebhookQueue } from './webhook-queue';
import { WebhooksRepository } from './webhooks.repository';
import { WebhookDeliveriesRepository, WebhookEventRow } from './webhook-deliveries.repository';

const event = (tenant: string, action: RouteChangedEvent['action'] = 'updated'): RouteChangedEvent => ({
  event_id: `${tenant}-${action}`,
  event_type: 'route_changed',
  action,
  tenant,
  service: 'payments',
  env: 'prod',
  version: 'v1',
  url: 'https://x.example.com',
  previous_url: null,
  previous_state: null,
  revision: 1,
  changed_by: null,
  changed_by_key_id: null,
  correlation_id: null,
  occurred_at: '2026-12-03T10:00:00.000Z',
});

function queue(withWebhooks: string[]) {
  const enqueued: WebhookEventRow[][] = [];
  const repository = {
    tenantsWithWebhooks: jest.fn(async (tenants: string[]) => new Set(tenants.filter((t) => withWebhooks.includes(t)))),
    enqueue: jest.fn(async (rows: WebhookEventRow[]) => {
      enqueued.push(rows);
      return rows.length;
    }),
  };
  const counter = new Counter({ name: 'enq', help: 'x', registers: [new Registry()] });
  return {
    sut: new WebhookQueue(repository as unknown as WebhooksRepository, repository as unknown as WebhookDeliveriesRepository, counter),
    repository,
    enqueued,
    counter,
  };
}

describe('WebhookQueue', () => {
  it('queues only the events of tenants that have a webhook, each with its CloudEvent body', async () => {
    const { sut, enqueued, counter } = queue(['a']);
    expect(await sut.enqueue([event('a'), event('b'), event('a', 'deactivated')])).toBe(2);
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0].map((r) => [r.event_id, r.event_type])).toEqual([
      ['a-updated', 'com.traffic-manager.route.updated'],
      ['a-deactivated', 'com.traffic-manager.route.deactivated'],
    ]);
    expect(JSON.parse(enqueued[0][0].body)).toMatchObject({ specversion: '1.0', id: 'a-updated', data: { tenant: 'a' } });
    expect((await counter.get()).values[0].value).toBe(2);
  });

  it('asks once per chunk which tenants have webhooks, and queues nothing when none has', async () => {
    const { sut, repository, enqueued } = queue([]);
    expect(await sut.enqueue([event('a'), event('a'), event('b')])).toBe(0);
    expect(repository.tenantsWithWebhooks).toHaveBeenCalledWith(['a', 'b']);
    expect(enqueued).toHaveLength(0);
  });
});
