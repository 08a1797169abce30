import { decodeCursor, encodeCursor, MAX_ENDPOINT_ID } from './route-cursor';
import { InvalidCursorError } from './routes.errors';

describe('route cursor', () => {
  it('should round-trip an id', () => {
    expect(decodeCursor(encodeCursor(1234))).toBe(1234);
    expect(decodeCursor(encodeCursor(MAX_ENDPOINT_ID))).toBe(MAX_ENDPOINT_ID);
  });

  const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

  it.each([
    '',
    'bm9wZQ',
    cursorOf('after:-1'),
    cursorOf('after:1e9'),
    cursorOf('after:2147483648'),
    cursorOf('after:99999999999'),
    cursorOf('after:007'),
    `${cursorOf('after:7')}!!`,
    Buffer.from('after:7').toString('base64'),
  ])('should reject %p', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });
});
