import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { ValidationFailedError } from '../errors/common.errors';
import { VALIDATION_OPTIONS } from './validation.options';

const MAX_DEPTH = 8;

function depthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  return Object.values(value).some((child) => depthExceeds(child, limit - 1));
}

// The global pipe. Before class-transformer sees a body it must be a JSON object of sane depth:
// arrays, scalars or thousands of nested levels (which would overflow the transformer's recursion
// and surface as a 500) are the client's mistake and answered 400.
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && value !== undefined) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ValidationFailedError([{ field: 'body', problem: 'must be a JSON object' }]);
      }
      if (depthExceeds(value, MAX_DEPTH)) {
        throw new ValidationFailedError([{ field: 'body', problem: `must not nest deeper than ${MAX_DEPTH} levels` }]);
      }
    }
    return super.transform(value, metadata);
  }
}
