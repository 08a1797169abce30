import { InvalidCursorError } from './routes.errors';

// endpoints.id is a SERIAL (int4) column: a larger id cannot be compared with it in PostgreSQL.
export const MAX_ENDPOINT_ID = 2_147_483_647;

// Opaque to clients; keyset pagination on the endpoint id underneath.
export function encodeCursor(lastId: number): string {
  return Buffer.from(`after:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^after:(0|[1-9]\d{0,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match ? Number(match[1]) : NaN;
  // Re-encoding must give the same string, so junk that base64url happens to decode is refused too.
  if (!(id <= MAX_ENDPOINT_ID) || encodeCursor(id) !== cursor) throw new InvalidCursorError();
  return id;
}
