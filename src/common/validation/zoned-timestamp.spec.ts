import { parseZonedTimestamp } from './zoned-timestamp';

describe(parseZonedTimestamp.name, () => {
  it.each([
    ['2026-01-14T17:00:00Z', '2026-01-14T17:00:00.000Z'],
    ['2026-01-14T17:00:00.5Z', '2026-01-14T17:00:00.500Z'],
    ['2026-01-14T17:00:00.123456Z', '2026-01-14T17:00:00.123Z'],
    ['2026-01-14T19:30:00+02:30', '2026-01-14T17:00:00.000Z'],
    ['2026-01-14T01:00:00-05:00', '2026-01-14T06:00:00.000Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
    ['2026-01-14t17:00z', '2026-01-14T17:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['0001-01-01T01:00:00+01:00', '0001-01-01T00:00:00.000Z'],
  ])('should read %s as %s', (input, expected) => {
    expect(parseZonedTimestamp(input)?.toISOString()).toBe(expected);
  });

  it.each([
    ['a naive time', '2026-01-14T17:00:00'],
    ['a date only', '2026-01-14'],
    ['an offset without colon', '2026-01-14T17:00:00+0200'],
    ['a "+" decoded to a space', '2026-01-14T17:00:00 02:00'],
    ['February 30th', '2026-02-30T00:00:00Z'],
    ['February 29th of a common year', '2025-02-29T00:00:00Z'],
    ['hour 24', '2026-01-14T24:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['an offset of 24 hours', '2026-01-14T17:00:00+24:00'],
    ['free text', 'yesterday'],
    ['epoch milliseconds', '1768410000000'],
    ['year 0000', '0000-06-01T00:00:00Z'],
    ['an offset that leaves year 9999', '9999-12-31T23:00:00-05:00'],
    ['an offset that goes before year 0001', '0001-01-01T00:30:00+01:00'],
    ['an extended year', '+010000-01-01T00:00:00Z'],
  ])('should refuse %s', (_name, input) => {
    expect(parseZonedTimestamp(input)).toBeNull();
  });
});
