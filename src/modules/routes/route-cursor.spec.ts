import { decodeCursor, decodeHistoryCursor, encodeCursor, encodeHistoryCursor, MAX_ENDPOINT_ID } from './route-cursor';
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

describe('history cursor', () => {
  const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

  it('should round-trip a revision', () => {
    expect(decodeHistoryCursor(encodeHistoryCursor(17))).toBe(17);
    expect(decodeHistoryCursor(encodeHistoryCursor(MAX_ENDPOINT_ID))).toBe(MAX_ENDPOINT_ID);
  });

  // A listing's cursor is not a history's and the other way round: each names its direction.
  it.each([encodeCursor(17), cursorOf('before:-1'), cursorOf('before:2147483648'), cursorOf('before:07'), ''])('should reject %p', (cursor) => {
    expect(() => decodeHistoryCursor(cursor)).toThrow(InvalidCursorError);
  });

  it('should not accept a history cursor as a listing cursor', () => {
    expect(() => decodeCursor(encodeHistoryCursor(17))).toThrow(InvalidCursorError);
  });
});
