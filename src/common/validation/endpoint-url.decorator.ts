import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength, ValidationArguments, registerDecorator } from 'class-validator';
import { endpointUrlProblem, MAX_URL_LENGTH } from './endpoint-url';

// Reports the specific reason (see endpoint-url.ts); the value is never trimmed or rewritten.
function IsCanonicalHttpUrl(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCanonicalHttpUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: (args: ValidationArguments) => endpointUrlProblem(String(args.value)) ?? '' },
      validator: { validate: (value: unknown) => typeof value === 'string' && endpointUrlProblem(value) === null },
    });
}

export function IsEndpointUrl() {
  return applyDecorators(
    ApiProperty({
      example: 'https://payments-v2.internal.example.com',
      description:
        'Absolute http(s) URL of this version of the service, already in canonical form: lower-case scheme and host ' +
        '(ASCII or valid IDN), no credentials, no backslashes, controls or invisible characters, no dot segments, ' +
        'other characters percent-encoded. Refused (400), never rewritten.',
      maxLength: MAX_URL_LENGTH,
      format: 'uri',
    }),
    IsDefined({ message: 'is required' }),
    IsString({ message: 'must be a string' }),
    MaxLength(MAX_URL_LENGTH, { message: `must be at most ${MAX_URL_LENGTH} characters` }),
    IsCanonicalHttpUrl(),
  );
}
