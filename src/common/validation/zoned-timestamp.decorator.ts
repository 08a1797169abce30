import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsOptional, registerDecorator } from 'class-validator';
import { parseZonedTimestamp, ZONED_TIMESTAMP_PROBLEM } from './zoned-timestamp';

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
