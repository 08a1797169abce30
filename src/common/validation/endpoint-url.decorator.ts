import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsString, MaxLength, registerDecorator } from 'class-validator';

export const MAX_URL_LENGTH = 2048;

export function isAbsoluteHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

// Credentials in an endpoint URL would travel in every resolve answer, event and audit document.
export function hasCredentials(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

function UrlRule(name: string, message: string, validate: (value: unknown) => boolean): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({ name, target: target.constructor, propertyName: String(propertyName), options: { message }, validator: { validate } });
}

export function IsEndpointUrl() {
  return applyDecorators(
    ApiProperty({
      example: 'https://payments-v2.internal.example.com',
      description: 'Absolute http(s) URL of this version of the service',
      maxLength: MAX_URL_LENGTH,
      format: 'uri',
    }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsDefined({ message: 'is required' }),
    IsString({ message: 'must be a string' }),
    MaxLength(MAX_URL_LENGTH, { message: `must be at most ${MAX_URL_LENGTH} characters` }),
    UrlRule('isAbsoluteHttpUrl', 'must be an absolute http:// or https:// URL', isAbsoluteHttpUrl),
    UrlRule('hasNoCredentials', 'must not contain a user name or password', (value) => !hasCredentials(value)),
  );
}
