const ZONED = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

export const ZONED_TIMESTAMP_PROBLEM =
  'must be an ISO 8601 timestamp with a timezone in the years 0001-9999 UTC, e.g. 2026-01-14T17:00:00Z or 2026-01-14T19:00:00+02:00 (send "+" as %2B)';

// Outside these instants toISOString() writes extended years (+010000-…, -000001-…), which ISO 8601
// basic parsers, and our own, do not read back.
export const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00.000Z');
export const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

export function isWithinIsoYears(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST_INSTANT && time <= LATEST_INSTANT;
}

// ISO 8601 / RFC 3339 date-time that states its zone (Z or ±hh:mm), as a UTC instant. Naive times
// are refused rather than read in some local zone (the seed read them in the host's zone). Digits
// past milliseconds are dropped: BSON dates hold milliseconds.
export function parseZonedTimestamp(value: string): Date | null {
  const m = ZONED.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMinutes = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;

  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, millis);
  const instant = new Date(date.getTime() - offsetMinutes * 60_000);
  return isWithinIsoYears(instant) ? instant : null;
}
