import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { InvalidAuditCursorError } from './audit.errors';

describe('audit cursor', () => {
  it('should round-trip a position, milliseconds included', () => {
    const position = { occurredAt: new Date('2026-01-14T17:00:00.123Z'), eventId: '0b8e2c1e-5f7a-4c1d-9d2e-7a6b5c4d3e2f' };

    expect(decodeAuditCursor(encodeAuditCursor(position))).toEqual(position);
  });

  it('should give different cursors to events that share occurred_at', () => {
    const occurredAt = new Date('2026-01-14T17:00:00Z');

    expect(encodeAuditCursor({ occurredAt, eventId: 'a' })).not.toBe(encodeAuditCursor({ occurredAt, eventId: 'b' }));
  });

  it.each([
    ['an empty string', ''],
    ['random text', 'bm9wZQ'],
    ['a route-list cursor', Buffer.from('after:12').toString('base64url')],
    ['a negative time', Buffer.from('before:-1:abc').toString('base64url')],
    ['no event id', Buffer.from('before:1700000000000:').toString('base64url')],
    ['a time past the Date range', Buffer.from('before:9999999999999999:abc').toString('base64url')],
    ['an event id with spaces', Buffer.from('before:1700000000000:a b').toString('base64url')],
    ['a 129-char event id', Buffer.from(`before:1700000000000:${'e'.repeat(129)}`).toString('base64url')],
    ['a cursor with trailing junk', `${encodeAuditCursor({ occurredAt: new Date(0), eventId: 'x' })}!!`],
    ['padded base64', `${Buffer.from('before:1:ab').toString('base64')}`],
  ])('should reject %s', (_name, cursor) => {
    expect(() => decodeAuditCursor(cursor)).toThrow(InvalidAuditCursorError);
  });
});
