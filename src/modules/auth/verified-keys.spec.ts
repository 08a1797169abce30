import { KeyCredentials } from './api-keys.repository';
import { VerifiedKeys } from './verified-keys';

const credentials = (id: string): KeyCredentials => ({
  id,
  name: `key-${id}`,
  tenant: 'team-a',
  role: 'reader',
  secretHash: Buffer.alloc(32),
  expiresAt: null,
  revokedAt: null,
});

function setup() {
  let now = 0;
  const keys = new VerifiedKeys({ maxEntries: 10, ttlMs: 60_000, unsubscribedTtlMs: 2_000, unknownTtlMs: 10_000, now: () => now });
  return { keys, advance: (ms: number) => (now += ms) };
}

describe(VerifiedKeys.name, () => {
  it('should hold a key for the TTL while the channel is live, and only a few seconds while it is not', () => {
    const { keys, advance } = setup();
    keys.store('a', credentials('a'), keys.begin());

    advance(2_500);
    expect(keys.fresh('a', true)).toMatchObject({ known: true, principal: { keyId: 'a', keyName: 'key-a', tenant: 'team-a', role: 'reader' } });
    expect(keys.fresh('a', false)).toBeUndefined();
    advance(58_000);
    expect(keys.fresh('a', true)).toBeUndefined();
    expect(keys.stale('a')).toBeDefined();
  });

  it('should remember an unknown id briefly', () => {
    const { keys, advance } = setup();
    keys.store('x', null, keys.begin());

    expect(keys.fresh('x', true)).toEqual({ known: false, checkedAt: 0 });
    advance(10_000);
    expect(keys.fresh('x', true)).toBeUndefined();
  });

  it('should drop a key on invalidation, and not store a read that began before it', () => {
    const { keys } = setup();
    keys.store('a', credentials('a'), keys.begin());
    const mark = keys.begin();

    keys.invalidate('a');
    expect(keys.fresh('a', true)).toBeUndefined();
    keys.store('a', credentials('a'), mark);
    expect(keys.fresh('a', true)).toBeUndefined();
    keys.store('a', credentials('a'), keys.begin());
    expect(keys.fresh('a', true)).toBeDefined();
  });

  it('should forget everything on clear(), including reads under way', () => {
    const { keys } = setup();
    keys.store('a', credentials('a'), keys.begin());
    const mark = keys.begin();

    keys.clear();
    keys.store('b', credentials('b'), mark);
    expect(keys.size).toBe(0);
  });

  it('should carry the last report time over when a key is read again', () => {
    const { keys } = setup();
    const first = keys.store('a', credentials('a'), keys.begin());
    if (first.known) first.reportedAt = 123;

    expect(keys.store('a', credentials('a'), keys.begin())).toMatchObject({ reportedAt: 123 });
  });
});
