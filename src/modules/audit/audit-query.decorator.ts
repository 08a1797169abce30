import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, Matches, registerDecorator } from 'class-validator';
import { CORRELATION_ID_PROBLEM, SANE_ID as CORRELATION_ID } from '../../common/context/correlation-id';
import { KEY_NAME_PATTERN as KEY_NAME, KEY_NAME_PROBLEM } from '../../contracts/principal';
import { ROUTE_ACTIONS } from '../../contracts/route-event';
import { parseZonedTimestamp, ZONED_TIMESTAMP_PROBLEM } from './zoned-timestamp';

const ACTION_PROBLEM = `must be one of ${ROUTE_ACTIONS.join(', ')}`;
// Key ids: UUIDs, or "bootstrap" for the configured key.
const KEY_ID = /^[A-Za-z0-9-]{1,64}$/;
const KEY_ID_PROBLEM = 'must be 1-64 characters of A-Z, a-z, 0-9 or "-" (a key id)';

export function IsRouteAction(required: boolean, description: string) {
  return applyDecorators(
    required ? ApiProperty({ enum: ROUTE_ACTIONS, description }) : ApiPropertyOptional({ enum: ROUTE_ACTIONS, description }),
    required ? IsDefined({ message: 'is required' }) : IsOptional(),
    IsIn(ROUTE_ACTIONS, { message: ACTION_PROBLEM }),
  );
}

function HoldsZonedTimestamp(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isZonedTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: ZONED_TIMESTAMP_PROBLEM },
      validator: { validate: (value: unknown) => value instanceof Date },
    });
}

// Becomes a Date (UTC instant) when valid; an invalid value is left as sent for the validator to report.
export function IsZonedTimestamp(example: string, description: string, required = true) {
  const doc = { type: String, format: 'date-time', example, description: `${description}; ISO 8601 with Z or ±hh:mm` };
  return applyDecorators(
    required ? ApiProperty(doc) : ApiPropertyOptional(doc),
    Transform(({ value }) => (typeof value === 'string' ? (parseZonedTimestamp(value) ?? value) : value)),
    required ? IsDefined({ message: 'is required' }) : IsOptional(),
    HoldsZonedTimestamp(),
  );
}

// changed_by (a key name), changed_by_key_id (a key id) or correlation_id (the write request's id, as
// the API accepts it in X-Correlation-ID); compared exactly. A repeated parameter (an array) is
// refused like any other malformed value.
const AUTHOR_RULES = {
  name: [KEY_NAME, KEY_NAME_PROBLEM],
  id: [KEY_ID, KEY_ID_PROBLEM],
  correlation: [CORRELATION_ID, CORRELATION_ID_PROBLEM],
} as const;

export function IsOptionalAuthor(kind: keyof typeof AUTHOR_RULES, description: string) {
  const [pattern, problem] = AUTHOR_RULES[kind];
  return applyDecorators(
    ApiPropertyOptional({ type: String, pattern: pattern.source, description }),
    IsOptional(),
    IsString({ message: problem }),
    Matches(pattern, { message: problem }),
  );
}
