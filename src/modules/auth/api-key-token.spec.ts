import { generateKey, MAX_TOKEN_LENGTH, parseToken, sameDigest, sameSecret, sha256 } from './api-key-token';

describe('API key tokens', () => {
  it('should name their own row and carry a secret whose SHA-256 is what is stored', () => {
    const key = generateKey();

    expect(key.token).toMatch(/^tm_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(key.token.length).toBeLessThan(MAX_TOKEN_LENGTH);
    const parsed = parseToken(key.token);
    expect(parsed?.id).toBe(key.id);
    expect(sameDigest(sha256(parsed!.secret), key.secretHash)).toBe(true);
  });

  it('should give every key its own id and secret', () => {
    const [a, b] = [generateKey(), generateKey()];

    expect(a.id).not.toBe(b.id);
    expect(sameDigest(a.secretHash, b.secretHash)).toBe(false);
  });

  it.each([
    ['the development key', 'tm-dev-admin-key'],
    ['an upper-case id', `tm_${'A'.repeat(32)}_${'x'.repeat(43)}`],
    ['a short secret', `tm_${'a'.repeat(32)}_${'x'.repeat(42)}`],
    ['a long secret', `tm_${'a'.repeat(32)}_${'x'.repeat(44)}`],
    ['a secret outside base64url', `tm_${'a'.repeat(32)}_${'x'.repeat(42)}=`],
    ['a token with a line break', `tm_${'a'.repeat(32)}_${'x'.repeat(43)}\n`],
  ])('should not take %s for a generated key', (_, token) => {
    expect(parseToken(token)).toBeNull();
  });

  it('should compare digests of different lengths as different, without throwing', () => {
    expect(sameDigest(sha256('a'), Buffer.alloc(3))).toBe(false);
  });

  it.each([
    ['equal', 'abcDEF-_09', 'abcDEF-_09', true],
    ['different at the end', 'abcDEF-_09', 'abcDEF-_08', false],
    ['different at the start', 'abcDEF-_09', 'bbcDEF-_09', false],
    ['of different lengths', 'abc', 'abcd', false],
    ['empty and not', '', 'a', false],
  ])('should compare secrets %s', (_, a, b, same) => {
    expect(sameSecret(a, b)).toBe(same);
  });
});
