import { FastifyReply } from 'fastify';
import { Counter, Registry } from 'prom-client';
import { Principal } from '../../contracts/principal';
import { LimitState } from './limit-state';
import { RateLimitRefusals } from './rate-limit-refusals';
import { RateLimits } from './rate-limits';
import { WriteCounter } from './write-counter';
import { WriteLimiter } from './write-limiter';

const platform: Principal = { keyId: 'k', keyName: 'ops', tenant: null, role: 'writer' };
const tenantKey: Principal = { keyId: 't', keyName: 'team', tenant: 'team-a', role: 'writer' };

// The Redis counter is faked here (its script runs against a real Redis in the e2e suite): it counts
// per bucket and reports the window it was asked for.
function limiter(writes: number) {
  const limits = new RateLimits({ windowMs: 30_000, reads: 1, writes, overrides: [{ tenant: 'vip', limitClass: 'writes', limit: writes + 2 }] });
  const limited = new Counter({ name: 'rate_limited_total', help: 'h', labelNames: ['class'], registers: [new Registry()] });
  const hits = new Map<string, number>();
  const counter = {
    hit: (bucket: string, limit: number, windowMs: number): Promise<LimitState> => {
      hits.set(bucket, (hits.get(bucket) ?? 0) + 1);
      return Promise.resolve({ limitClass: 'writes', bucket, limit, hits: hits.get(bucket)!, msUntilReset: windowMs - 1_500 });
    },
  } as unknown as WriteCounter;
  return { writes: new WriteLimiter(limits, counter, new RateLimitRefusals(limits, limited)), hits, limited };
}

function reply() {
  const headers: Record<string, string> = {};
  const fake = { headers: (more: Record<string, string>) => Object.assign(headers, more) } as unknown as FastifyReply;
  return { fake, headers };
}

describe(WriteLimiter.name, () => {
  it('should let a bucket write up to its limit, with the limit headers on each answer', async () => {
    const { writes } = limiter(2);
    const first = reply();
    const second = reply();

    await writes.take(first.fake, platform, 'a');
    await writes.take(second.fake, platform, 'a');

    expect(first.headers).toEqual({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '29' });
    expect(second.headers).toMatchObject({ 'x-ratelimit-remaining': '0' });
  });

  it('should refuse the write over the limit with a 429 and Retry-After, and count it', async () => {
    const { writes, limited } = limiter(1);
    await writes.take(reply().fake, platform, 'a');
    const over = reply();

    const refused = writes.take(over.fake, platform, 'a');

    await expect(refused).rejects.toMatchObject({ code: 'REQUEST.RATE_LIMITED', transient: true });
    await expect(refused).rejects.toThrow('Too many writes for tenant a: at most 1 per 30 s; retry after 29 s (Retry-After)');
    expect(over.headers).toEqual({ 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '29', 'retry-after': '29' });
    expect((await limited.get()).values).toEqual([{ labels: { class: 'writes' }, value: 1 }]);
  });

  it("should spend a tenant key's own bucket whatever it addresses, a platform key's the addressed tenant's or the shared one", async () => {
    const { writes, hits } = limiter(5);

    await writes.take(reply().fake, tenantKey, 'someone-else');
    await writes.take(reply().fake, platform, 'b');
    await writes.take(reply().fake, platform, undefined);

    expect([...hits.keys()]).toEqual(['team-a', 'b', '*']);
  });

  it("should apply a tenant's override to that tenant only", async () => {
    const { writes } = limiter(1);
    const vip = reply();
    const other = reply();

    await writes.take(vip.fake, platform, 'vip');
    await writes.take(other.fake, platform, 'other');

    expect(vip.headers['x-ratelimit-limit']).toBe('3');
    expect(other.headers['x-ratelimit-limit']).toBe('1');
  });
});
