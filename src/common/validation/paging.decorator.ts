import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const MAX_PAGE_SIZE = 1000;

// Query strings are text: only plain digits (at most as many as the largest value allowed has, and
// at least 7) become numbers, so "abc", "1.5", "" or a repeated parameter reach the validators
// unchanged and are reported, never replaced by a default.
const toWholeNumber =
  (digits: RegExp) =>
  ({ value }: { value: unknown }) =>
    typeof value === 'string' && digits.test(value) ? Number(value) : value;

export function IsOptionalWholeNumber(min: number, max: number, description: string, fallback?: number) {
  const problem = `must be an integer between ${min} and ${max}`;
  const digits = new RegExp(`^\\d{1,${Math.max(7, String(max).length)}}$`);
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, default: fallback, description }),
    IsOptional(),
    Transform(toWholeNumber(digits)),
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
