import { decodeKeyCursor, encodeKeyCursor } from './key-cursor';
import { InvalidKeyCursorError } from './keys.errors';

describe('key list cursor', () => {
  it('should round-trip a position', () => {
    const position = { createdAt: new Date('2026-11-21T10:00:00.123Z'), id: '0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e' };

    expect(decodeKeyCursor(encodeKeyCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'abc',
    Buffer.from('after:2026-11-21T10:00:00.123Z|nope').toString('base64url'),
    `${encodeKeyCursor({ createdAt: new Date(0), id: '0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e' })}=`,
  ])('should refuse %j', (cursor) => {
    expect(() => decodeKeyCursor(cursor)).toThrow(InvalidKeyCursorError);
  });
});
