import { InvalidKeyCursorError } from './keys.errors';

export interface KeyPosition {
  createdAt: Date;
  id: string;
}

const CURSOR = /^after:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

// Opaque to clients; keyset pagination on (created_at, id) underneath (created_at is stored at
// millisecond precision, so the Date round-trips exactly).
export function encodeKeyCursor({ createdAt, id }: KeyPosition): string {
  return Buffer.from(`after:${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeKeyCursor(cursor: string): KeyPosition {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const position = match ? { createdAt: new Date(match[1]), id: match[2] } : null;
  // Re-encoding must give the same string, so junk that base64url happens to decode is refused too.
  if (!position || Number.isNaN(position.createdAt.getTime()) || encodeKeyCursor(position) !== cursor) throw new InvalidKeyCursorError();
  return position;
}
