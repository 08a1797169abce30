import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';
import { ErrorDetail } from '../../../common/errors/domain.error';

// `force` and `reason`: the override of the write-time interlock (docs/design.md, "Write-time safety
// interlocks"). A tenant that protects its last active versions refuses a change that would leave
// one of its environments with no active version, unless the request is forced and says why. The
// reason is required with force, refused without it (it would be recorded nowhere), and travels
// in the change's event as force_reason (audit trail, webhooks). One rule function per field for
// the DTO decorators and the hand validators.
export const FORCE_FIELD = 'force';
export const REASON_FIELD = 'reason';
export const MAX_REASON_LENGTH = 500;

export interface ForceOverride {
  force?: boolean;
  reason?: string;
}

const FORCE_PROBLEM = 'must be true or false';
const REASON_PROBLEM = `must be a string of 1 to ${MAX_REASON_LENGTH} characters, not only spaces`;

export function forceProblem(raw: unknown): string | null {
  return raw === undefined || typeof raw === 'boolean' ? null : FORCE_PROBLEM;
}

export function reasonProblem(raw: unknown, force: unknown): string | null {
  if (force !== true) return raw === undefined ? null : 'is accepted only with "force": true';
  if (raw === undefined || raw === null) return 'is required with "force": true (why the interlock is overridden)';
  return typeof raw === 'string' && raw.trim().length > 0 && raw.length <= MAX_REASON_LENGTH ? null : REASON_PROBLEM;
}

const own = (source: Record<string, unknown>, field: string): unknown =>
  Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined;

// The body's force and reason, as given, appended to `value` when valid; problems go to `details`.
export function addForceOverride<T extends object>(source: Record<string, unknown>, details: ErrorDetail[], value: T): T & ForceOverride {
  const force = own(source, FORCE_FIELD);
  const reason = own(source, REASON_FIELD);
  const problems = [
    { field: FORCE_FIELD, problem: forceProblem(force) },
    { field: REASON_FIELD, problem: reasonProblem(reason, force) },
  ].filter((detail): detail is ErrorDetail => detail.problem !== null);
  details.push(...problems);
  const result: T & ForceOverride = value;
  if (force !== undefined) result.force = force as boolean;
  if (reason !== undefined) result.reason = reason as string;
  return result;
}

// The reason a parsed body forces its change with, undefined when it is not forced.
export function forceReasonOf(body: ForceOverride): string | undefined {
  return body.force === true ? body.reason : undefined;
}

export function IsForce() {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'boolean',
      example: true,
      description:
        "Override the tenant's write-time interlock (PUT /api/v1/tenants/{tenant}/safety): apply the change even if it leaves " +
        'an environment with no active version. Requires a reason.',
    }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isForce',
        target: target.constructor,
        propertyName: String(propertyName),
        options: { message: FORCE_PROBLEM },
        validator: { validate: (value: unknown) => forceProblem(value) === null },
      }),
  );
}

export function IsForceReason() {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      minLength: 1,
      maxLength: MAX_REASON_LENGTH,
      example: 'payments prod decommissioned, ticket OPS-1234',
      description: 'Required with "force": true, and accepted only with it: why. Carried in the event as force_reason.',
    }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isForceReason',
        target: target.constructor,
        propertyName: String(propertyName),
        options: { message: (args) => reasonProblem(args.value, (args.object as ForceOverride).force) ?? REASON_PROBLEM },
        validator: { validate: (value: unknown, args) => reasonProblem(value, (args?.object as ForceOverride).force) === null },
      }),
  );
}
