import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { ErrorDetail } from '../errors/domain.error';
import { ValidationFailedError } from '../errors/common.errors';
import { VALIDATION_OPTIONS } from './validation.options';
import { HandValidated, handValidatorOf } from './hand-validators';
import { bodyShapeProblem } from './json-body';

const UNKNOWN_FIELD = 'is not an accepted field';

const acceptedFields = new WeakMap<object, Set<string> | null>();

// The DTO's declared fields, from the same metadata the validators use; null for a parameter
// without a validated class (a plain string, say), which this rule leaves alone.
function fieldsOf(metatype: ArgumentMetadata['metatype']): Set<string> | null {
  if (typeof metatype !== 'function') return null;
  let fields = acceptedFields.get(metatype);
  if (fields === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
    fields = metadata.length > 0 ? new Set(metadata.map((m) => m.propertyName)) : null;
    acceptedFields.set(metatype, fields);
  }
  return fields;
}

// The global pipe. Before class-transformer sees a body it must be a JSON object of sane depth
// (bodyShapeProblem); anything else is the client's mistake and answered 400.
// Unknown keys are found here, by own-key lookup in the declared fields, for bodies, queries and
// paths alike: class-validator's whitelist looks names up in a plain object, so keys named like
// Object.prototype members (constructor, toString, __defineGetter__, …) passed it.
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const problem = bodyShapeProblem(value);
      if (problem) throw new ValidationFailedError([problem]);
    }
    const byHand = value !== null && typeof value === 'object' ? handValidatorOf(metadata.metatype) : undefined;
    if (byHand) {
      const result = byHand(value as object);
      if (result.details) throw new ValidationFailedError(result.details);
      return result.value;
    }
    return this.transformByDecorators(value, metadata);
  }

  // transformByDecorators' answer in a hand validator's shape, { value } or { details }: what the
  // hand validators' specs compare them with.
  async answerByDecorators(value: unknown, metadata: ArgumentMetadata): Promise<HandValidated<object>> {
    try {
      return { value: { ...((await this.transformByDecorators(value, metadata)) as object) } };
    } catch (err) {
      if (err instanceof ValidationFailedError) return { details: err.details ?? [] };
      throw err;
    }
  }

  // The DTO's decorators (class-transformer + class-validator), never its hand validator: the
  // reference that hand validators' specs compare with.
  async transformByDecorators(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fields = value !== null && typeof value === 'object' ? fieldsOf(metadata.metatype) : null;
    const unknown = fields ? Object.keys(value as object).filter((key) => !fields.has(key)) : [];
    if (unknown.length === 0) return super.transform(value, metadata);
    return this.rejectUnknown(value as object, fields as Set<string>, unknown, metadata);
  }

  // The known fields are still validated, so one answer names every problem; the unknown ones
  // never reach class-transformer (a "toString": 1 there would break the error formatting).
  private async rejectUnknown(value: object, fields: Set<string>, unknown: string[], metadata: ArgumentMetadata): Promise<never> {
    const details: ErrorDetail[] = unknown.map((field) => ({ field, problem: UNKNOWN_FIELD }));
    const known = Object.fromEntries(Object.entries(value).filter(([key]) => fields.has(key)));
    try {
      await super.transform(known, metadata);
    } catch (err) {
      if (!(err instanceof ValidationFailedError)) throw err;
      details.push(...(err.details ?? []));
    }
    throw new ValidationFailedError(details);
  }
}
