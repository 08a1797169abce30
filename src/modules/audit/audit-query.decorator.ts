import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, registerDecorator } from 'class-validator';
import { ROUTE_ACTIONS } from '../../contracts/route-event';
import { parseZonedTimestamp, ZONED_TIMESTAMP_PROBLEM } from './zoned-timestamp';

const ACTION_PROBLEM = `must be one of ${ROUTE_ACTIONS.join(', ')}`;

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
