import { decodeCursor, encodeCursor } from './route-cursor';
import { InvalidCursorError } from './routes.errors';

describe('route cursor', () => {
  it('should round-trip an id', () => {
    expect(decodeCursor(encodeCursor(1234))).toBe(1234);
  });

  it.each(['', 'bm9wZQ', Buffer.from('after:-1').toString('base64url'), Buffer.from('after:1e9').toString('base64url')])(
    'should reject %p',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
    },
  );
});
