import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsOptional, IsString, Matches, registerDecorator } from 'class-validator';

export const ROUTE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
export const ROUTE_NAME_PROBLEM = 'must be 1-128 characters of A-Z, a-z, 0-9, ".", "_" or "-"';

// "." and ".." are dot segments: clients remove them from paths, so such a route could not be addressed.
function IsNotOnlyDots(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotOnlyDots',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'must not consist of dots only' },
      validator: { validate: (value: unknown) => typeof value !== 'string' || !/^\.+$/.test(value) },
    });
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// One rule for tenant, service, env and version everywhere (bodies, queries, paths), trimmed first.
export function IsRouteName(example: string, description: string) {
  return applyDecorators(
    ApiProperty({ example, description, pattern: ROUTE_NAME_PATTERN.source, minLength: 1, maxLength: 128 }),
    Transform(trim),
    IsDefined({ message: 'is required' }),
    IsString({ message: 'must be a string' }),
    Matches(ROUTE_NAME_PATTERN, { message: ROUTE_NAME_PROBLEM }),
    IsNotOnlyDots(),
  );
}

export function IsOptionalRouteName(description: string) {
  return applyDecorators(
    ApiPropertyOptional({ description, pattern: ROUTE_NAME_PATTERN.source }),
    Transform(trim),
    IsOptional(),
    IsString({ message: 'must be a string' }),
    Matches(ROUTE_NAME_PATTERN, { message: ROUTE_NAME_PROBLEM }),
    IsNotOnlyDots(),
  );
}
