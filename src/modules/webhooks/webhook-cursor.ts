import { InvalidWebhookCursorError } from './webhooks.errors';
import { PageCursor } from './webhooks.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Opaque to clients: the (created_at, id) of the last row of a page, newest first. created_at is
// kept to the microsecond as PostgreSQL gave it (a Date would lose the last three digits and skip
// or repeat rows created in the same millisecond), so the cursor is read from the row as text.
export function encodeWebhookCursor(createdAtText: string, id: string): string {
  return Buffer.from(`${createdAtText}|${id}`).toString('base64url');
}

export function decodeWebhookCursor(cursor: string): PageCursor {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length || !id || !UUID.test(id) || Number.isNaN(Date.parse(createdAt)) || encodeWebhookCursor(createdAt, id) !== cursor) {
    throw new InvalidWebhookCursorError();
  }
  return { createdAt, id };
}
