import { InvalidAuditCursorError } from './audit.errors';
import { isWithinIsoYears } from '../../common/validation/zoned-timestamp';

// Where the previous page ended, in the listing order (occurred_at desc, then event_id desc).
export interface AuditPosition {
  occurredAt: Date;
  eventId: string;
}

const MAX_EVENT_ID_LENGTH = 128;

// Opaque to clients. Both sort keys are in it because several events can share one occurred_at:
// the time alone would skip or repeat the events of a tie at a page boundary.
export function encodeAuditCursor(position: AuditPosition): string {
  return Buffer.from(`before:${position.occurredAt.getTime()}:${position.eventId}`).toString('base64url');
}

export function decodeAuditCursor(cursor: string): AuditPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^before:(\d{1,16}):([\x21-\x7e]+)$/.exec(text);
  // Re-encoding must give the same string, so junk that base64url happens to decode is refused too.
  if (!match || match[2].length > MAX_EVENT_ID_LENGTH || Buffer.from(text).toString('base64url') !== cursor) {
    throw new InvalidAuditCursorError();
  }
  const occurredAt = new Date(Number(match[1]));
  if (!isWithinIsoYears(occurredAt)) throw new InvalidAuditCursorError();
  return { occurredAt, eventId: match[2] };
}
