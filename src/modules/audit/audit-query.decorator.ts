import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, registerDecorator } from 'class-validator';
import { ROUTE_ACTIONS } from '../../contracts/route-event';
import { parseZonedTimestamp, ZONED_TIMESTAMP_PROBLEM } from './zoned-timestamp';

const MAX_PAGE_SIZE = 1000;
const ACTION_PROBLEM = `must be one of ${ROUTE_ACTIONS.join(', ')}`;

// Query strings are text: only plain digits become numbers, so "abc", "1.5", "" or a repeated
// parameter reach the validators unchanged and are reported, never replaced by a default.
const toWholeNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value);

export function IsOptionalWholeNumber(min: number, max: number, description: string, fallback?: number) {
  const problem = `must be an integer between ${min} and ${max}`;
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, default: fallback, description }),
    IsOptional(),
    Transform(toWholeNumber),
    IsInt({ message: problem }),
    Min(min, { message: problem }),
    Max(max, { message: problem }),
  );
}

export function IsPageLimit() {
  return IsOptionalWholeNumber(1, MAX_PAGE_SIZE, 'Page size', 100);
}

export function IsPageCursor() {
  return applyDecorators(
    ApiPropertyOptional({ description: 'The next_cursor of the previous page, to get the page after it' }),
    IsOptional(),
    IsString({ message: 'is not a cursor returned by this API' }),
    MaxLength(512, { message: 'is not a cursor returned by this API' }),
  );
}

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
export function IsZonedTimestamp(example: string, description: string) {
  return applyDecorators(
    ApiProperty({ type: String, format: 'date-time', example, description: `${description}; ISO 8601 with Z or ±hh:mm` }),
    Transform(({ value }) => (typeof value === 'string' ? (parseZonedTimestamp(value) ?? value) : value)),
    IsDefined({ message: 'is required' }),
    HoldsZonedTimestamp(),
  );
}
