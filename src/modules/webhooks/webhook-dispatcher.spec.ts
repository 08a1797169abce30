import { Counter, Histogram, Registry } from 'prom-client';
import { WebhookDispatcher } from './webhook-dispatcher';
import { sendWebhook } from './webhook-sender';
import { ClaimedDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository';

jest.mock('./webhook-sender', () => ({ sendWebhook: jest.fn() }));
const send = sendWebhook as jest.MockedFunction<typeof sendWebhook>;

const CONFIG = {
  allowHttp: false,
  allowPrivate: false,
  timeoutMs: 1000,
  maxAttempts: 3,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  concurrency: 4,
  retentionHours: 1,
  maxPerTenant: 25,
  disableAfterMs: 3_600_000,
};

const claimed = (id: string, attempts: number): ClaimedDelivery => ({
  id,
  subscriptionId: 's1',
  eventId: `e-${id}`,
  eventType: 'com.traffic-manager.route.updated',
  body: '{}',
  attempts,
  url: 'https://hooks.example.com/x',
  secrets: ['whsec_AAAA'],
});

function dispatcher(rows: ClaimedDelivery[]) {
  const registry = new Registry();
  const repository = {
    claimDue: jest.fn().mockResolvedValueOnce(rows).mockResolvedValue([]),
    recordDelivered: jest.fn().mockResolvedValue(undefined),
    recordFailed: jest.fn().mockResolvedValue(false),
    prune: jest.fn().mockResolvedValue(0),
  };
  const outcomes = new Counter({ name: 'out', help: 'x', labelNames: ['outcome'], registers: [registry] });
  const duration = new Histogram({ name: 'dur', help: 'x', registers: [registry] });
  const disabled = new Counter({ name: 'disabled', help: 'x', registers: [registry] });
  const sut = new WebhookDispatcher(repository as unknown as WebhookDeliveriesRepository, CONFIG, outcomes, duration, disabled);
  const count = async (outcome: string) => (await outcomes.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  const disabledCount = async () => (await disabled.get()).values[0]?.value ?? 0;
  return { sut, repository, count, disabledCount };
}

describe('WebhookDispatcher', () => {
  beforeEach(() => send.mockReset());

  it('records a 2xx as delivered, and a failure as retried later until the attempts run out, then failed', async () => {
    send.mockImplementation(async (hook) =>
      hook.id === 'ok' ? { ok: true, statusCode: 204, error: null, durationMs: 5 } : { ok: false, statusCode: 500, error: 'HTTP 500', durationMs: 7 },
    );
    const { sut, repository, count } = dispatcher([claimed('ok', 1), claimed('again', 1), claimed('last', 3)]);
    const before = Date.now();

    expect(await sut.runOnce()).toBe(3);

    expect(repository.claimDue).toHaveBeenCalledWith(4, 31_000);
    expect(repository.recordDelivered).toHaveBeenCalledWith('ok', expect.objectContaining({ statusCode: 204 }));
    const [[againId, , retryAt], [lastId, lastResult, never]] = repository.recordFailed.mock.calls;
    expect(againId).toBe('again');
    expect((retryAt as Date).getTime() - before).toBeGreaterThanOrEqual(800);
    expect((retryAt as Date).getTime() - before).toBeLessThan(1300);
    expect([lastId, lastResult.error, never]).toEqual(['last', 'HTTP 500', null]);
    expect([await count('delivered'), await count('retried'), await count('failed')]).toEqual([1, 1, 1]);
    expect(send).toHaveBeenCalledWith(
      { id: 'ok', url: 'https://hooks.example.com/x', body: '{}', secrets: ['whsec_AAAA'] },
      { timeoutMs: 1000, allowPrivate: false },
    );
  });

  it('waits for every send of a pass before reporting that recording one failed', async () => {
    let slowDone = false;
    send.mockImplementation(async (hook) => {
      if (hook.id === 'slow') {
        await new Promise((r) => setTimeout(r, 50));
        slowDone = true;
      }
      return { ok: true, statusCode: 200, error: null, durationMs: 1 };
    });
    const { sut, repository } = dispatcher([claimed('fast', 1), claimed('slow', 1)]);
    repository.recordDelivered.mockImplementation(async (id: string) => {
      if (id === 'fast') throw new Error('PostgreSQL down');
    });

    await expect(sut.runOnce()).rejects.toThrow('PostgreSQL down');
    expect(slowDone).toBe(true);
    expect(repository.recordDelivered).toHaveBeenCalledWith('slow', expect.anything());
  });

  it('applies the URL rules as configured now: a URL they refuse is a failed attempt, not sent', async () => {
    const { sut, repository } = dispatcher([{ ...claimed('plain-http', 1), url: 'http://hooks.example.com/x' }]);

    await sut.runOnce();

    expect(send).not.toHaveBeenCalled();
    const [[id, result, retryAt]] = repository.recordFailed.mock.calls;
    expect([id, result.statusCode, retryAt]).toEqual(['plain-http', null, expect.any(Date)]);
    expect(result.error).toContain('not sent: the URL must be an https:// URL');
  });

  it('passes the disable threshold with every failure and counts a webhook the store disabled', async () => {
    send.mockResolvedValue({ ok: false, statusCode: 500, error: 'HTTP 500', durationMs: 3 });
    const { sut, repository, disabledCount } = dispatcher([claimed('a', 1), claimed('b', 3)]);
    repository.recordFailed.mockResolvedValueOnce(false).mockResolvedValueOnce(true);

    await sut.runOnce();

    expect(repository.recordFailed.mock.calls.map((call) => call[3])).toEqual([3_600_000, 3_600_000]);
    expect(await disabledCount()).toBe(1);
  });
});
