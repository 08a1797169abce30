import { Counter, Registry } from 'prom-client';
import { Principal } from '../../contracts/principal';
import { deniedHeaders, limitHeaders } from './limit-state';
import { toRecord } from './limiter-storage';
import { ReadLimiter } from './read-limiter';
import { RateLimitRefusals } from './rate-limit-refusals';
import { RateLimits } from './rate-limits';

const platform: Principal = { keyId: 'k', keyName: 'ops', tenant: null, role: 'admin' };

function limiter(reads: number, overrides: Array<{ tenant: string; limitClass: 'reads' | 'writes'; limit: number }> = []) {
  const limits = new RateLimits({ windowMs: 60_000, reads, writes: 1, overrides });
  const limited = new Counter({ name: 'rate_limited_total', help: 'h', labelNames: ['class'], registers: [new Registry()] });
  const refusals = new RateLimitRefusals(limits, limited);
  return { reads: new ReadLimiter(limits, refusals), refusals, limited };
}

describe(ReadLimiter.name, () => {
  it('should allow each tenant its limit per window, an override for that tenant only', () => {
    const { reads } = limiter(2, [{ tenant: 'vip', limitClass: 'reads', limit: 3 }]);
    const outcome = (tenant: string) => (reads.take(platform, tenant) ? 'limited' : 'ok');

    expect(['a', 'a', 'a', 'b'].map(outcome)).toEqual(['ok', 'ok', 'limited', 'ok']);
    expect(['vip', 'vip', 'vip', 'vip'].map(outcome)).toEqual(['ok', 'ok', 'ok', 'limited']);
  });

  it('should describe a refusal with the limit, nothing remaining and the seconds to wait, and count it', async () => {
    const { reads, refusals, limited } = limiter(1);
    reads.take(platform, 'a');

    const state = reads.take(platform, 'a')!;

    expect(state).toMatchObject({ limitClass: 'reads', bucket: 'a', limit: 1, hits: 2 });
    expect(deniedHeaders(state)).toEqual({ 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60', 'retry-after': '60' });
    expect(toRecord(state)).toEqual({ totalHits: 2, timeToExpire: 60, isBlocked: true, timeToBlockExpire: 60 });
    const error = refusals.refuse(state);
    expect(error).toMatchObject({ code: 'REQUEST.RATE_LIMITED', transient: true });
    expect(error.message).toBe('Too many reads for tenant a: at most 1 per 60 s; retry after 60 s (Retry-After)');
    expect((await limited.get()).values).toEqual([{ labels: { class: 'reads' }, value: 1 }]);
  });

  it('should share its counts with the throttler guard, which reports every state', () => {
    const { reads } = limiter(3);
    reads.take(platform, 'a');

    const state = reads.hit('a', 3);

    expect(limitHeaders(state)).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '1' });
    expect(toRecord(state).isBlocked).toBe(false);
  });
});
