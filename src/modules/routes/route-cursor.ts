import { InvalidCursorError } from './routes.errors';

// endpoints.id and endpoints.revision are int4 columns: a larger value cannot be compared with them.
export const MAX_ENDPOINT_ID = 2_147_483_647;

// Opaque to clients; keyset pagination underneath: route listings page "after" an endpoint id,
// histories (newest first) "before" a revision.
type Direction = 'after' | 'before';

export function encodeCursor(lastId: number): string {
  return encode('after', lastId);
}

export function decodeCursor(cursor: string): number {
  return decode('after', cursor);
}

export function encodeHistoryCursor(lastRevision: number): string {
  return encode('before', lastRevision);
}

export function decodeHistoryCursor(cursor: string): number {
  return decode('before', cursor);
}

function encode(direction: Direction, value: number): string {
  return Buffer.from(`${direction}:${value}`).toString('base64url');
}

function decode(direction: Direction, cursor: string): number {
  const match = new RegExp(`^${direction}:(0|[1-9]\\d{0,9})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const value = match ? Number(match[1]) : NaN;
  // Re-encoding must give the same string, so junk that base64url happens to decode is refused too.
  if (!(value <= MAX_ENDPOINT_ID) || encode(direction, value) !== cursor) throw new InvalidCursorError();
  return value;
}
