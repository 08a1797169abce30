import { ValidationError, ValidationPipeOptions } from '@nestjs/common';
import { ErrorDetail } from '../errors/domain.error';
import { ValidationFailedError } from '../errors/common.errors';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([name, message]) => ({
      field,
      problem: name === 'whitelistValidation' ? 'is not an accepted field' : message,
    }));
    // Report only the first failing rule per field: "is required" says it all for a missing one.
    return [...own.slice(0, 1), ...flatten(error.children ?? [], field)];
  });
}

export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  stopAtFirstError: false,
  exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
};
