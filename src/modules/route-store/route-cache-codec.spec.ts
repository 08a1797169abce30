import { routeKeyString } from '../../contracts/route-key';
import { cacheKey, cacheKeyOfId, decodeEntry, encodeEntry, legacyCacheKey } from './route-cache-codec';

describe('route cache codec', () => {
  it('should round-trip a positive entry, even with "|" in the url', () => {
    const value = encodeEntry({ url: 'https://a.example.com/x|y', active: true, revision: 12 });

    expect(decodeEntry(value)).toEqual({ kind: 'hit', url: 'https://a.example.com/x|y', revision: 12 });
  });

  it('should encode inactive and missing routes as negative entries with their revision', () => {
    expect(decodeEntry(encodeEntry({ url: 'https://a.example.com', active: false, revision: 3 }))).toEqual({ kind: 'negative', revision: 3 });
    expect(encodeEntry({ url: null, active: false, revision: 0 })).toBe('0|-');
  });

  it('should treat absent or foreign values (e.g. the seed\'s "__NOT_FOUND__" or bare urls) as misses', () => {
    expect(decodeEntry(null)).toEqual({ kind: 'miss' });
    expect(decodeEntry('__NOT_FOUND__')).toEqual({ kind: 'miss' });
    expect(decodeEntry('https://seed-format.example.com')).toEqual({ kind: 'miss' });
  });

  it("should keep our entries in a versioned namespace, apart from the seed's key", () => {
    const key = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' };

    expect(cacheKey(key)).toBe('tm:v1:route:team-a:payments:prod:v2');
    expect(legacyCacheKey(key)).toBe('route:team-a:payments:prod:v2');
    expect(cacheKeyOfId(routeKeyString(key))).toBe(cacheKey(key));
  });
});
