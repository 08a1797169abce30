import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, registerDecorator } from 'class-validator';
import { HandValidated, validateByHand } from '../../../common/validation/hand-validators';
import { unknownFields } from '../../../common/validation/route-key-query';
import { IsRouteName } from '../../../common/validation/route-name.decorator';

export class TenantParamDto {
  @IsRouteName('team-a', 'Tenant name')
  tenant: string;
}

const PROTECT_PROBLEM = 'must be true or false';

export interface MassDeactivationLimit {
  max_percent: number;
  window_minutes: number;
  min_count: number;
}

const LIMITS: ReadonlyArray<[keyof MassDeactivationLimit, number, number]> = [
  ['max_percent', 1, 99],
  ['window_minutes', 1, 1440],
  ['min_count', 1, 10_000],
];

// The breaker's settings: null (or absent, under PUT's replace semantics) turns it off; otherwise an
// object with exactly these three whole numbers. One rule, checked here rather than by a nested DTO so
// that every problem, including an unknown key named like an Object.prototype member, is named.
export function massDeactivationProblem(raw: unknown): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) return 'must be an object {max_percent, window_minutes, min_count} or null';
  const fields = raw as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !LIMITS.some(([name]) => name === key));
  if (unknown !== undefined) return `has a field that is not accepted: "${unknown}"`;
  for (const [name, min, max] of LIMITS) {
    const value = fields[name];
    if (!Object.prototype.hasOwnProperty.call(fields, name)) return `needs ${name}`;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      return `${name} must be a whole number from ${min} to ${max}`;
  }
  return null;
}

function IsMassDeactivationLimit() {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      nullable: true,
      required: ['max_percent', 'window_minutes', 'min_count'],
      additionalProperties: false,
      properties: {
        max_percent: { type: 'integer', minimum: 1, maximum: 99, example: 30 },
        window_minutes: { type: 'integer', minimum: 1, maximum: 1440, example: 10 },
        min_count: { type: 'integer', minimum: 1, maximum: 10000, example: 2 },
      },
      description:
        "The mass-deactivation breaker: a change that would make more than max_percent of the tenant's versions, and at least " +
        'min_count of them, deactivated within the last window_minutes is refused (409 ROUTE.MASS_DEACTIVATION), force or not, ' +
        'unless it is a scheduled changeset approved by other keys ("approvals_required" ≥ 1). null or absent: off',
    }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isMassDeactivationLimit',
        target: target.constructor,
        propertyName: String(propertyName),
        options: { message: (args) => massDeactivationProblem(args.value) ?? 'is invalid' },
        validator: { validate: (value: unknown) => massDeactivationProblem(value) === null },
      }),
  );
}

// PUT replaces the settings: a field left out takes its default (off).
export class UpdateTenantSafetyDto {
  @ApiProperty({
    example: true,
    description:
      "true: no change may leave one of the tenant's environments with no active version (409 ROUTE.LAST_ACTIVE_VERSION) " +
      'unless it is sent with "force": true and a "reason". false: deactivations are never refused for this (the default)',
  })
  @IsBoolean({ message: PROTECT_PROBLEM })
  protect_last_active: boolean;

  @IsMassDeactivationLimit()
  mass_deactivation?: MassDeactivationLimit | null;
}

// UpdateTenantSafetyDto's rules by hand, on the body as it was sent: class-transformer copies a nested
// plain object without keys such as "constructor" before the decorators see it, so an unknown key of
// that name in mass_deactivation would be dropped silently. Otherwise the same answers as the
// decorators, in their order (tenant-safety.dto.spec.ts compares them).
export function parseUpdateTenantSafetyBody(input: object): HandValidated<UpdateTenantSafetyDto> {
  const source = input as Record<string, unknown>;
  const details = unknownFields(source, ['protect_last_active', 'mass_deactivation']);
  const own = (field: string) => (Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined);
  const protect = own('protect_last_active');
  const mass = own('mass_deactivation');
  if (typeof protect !== 'boolean') details.push({ field: 'protect_last_active', problem: PROTECT_PROBLEM });
  const massProblem = massDeactivationProblem(mass);
  if (massProblem) details.push({ field: 'mass_deactivation', problem: massProblem });
  if (details.length) return { details };
  const body = Object.assign(new UpdateTenantSafetyDto(), { protect_last_active: protect as boolean });
  if (mass !== undefined) body.mass_deactivation = mass as MassDeactivationLimit | null;
  return { value: body };
}

validateByHand(UpdateTenantSafetyDto, parseUpdateTenantSafetyBody);

export class TenantSafetyDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ example: true, description: 'The last-active-version interlock: see PUT' }) protect_last_active: boolean;
  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: { max_percent: { type: 'integer' }, window_minutes: { type: 'integer' }, min_count: { type: 'integer' } },
    example: { max_percent: 30, window_minutes: 10, min_count: 2 },
    description: 'The mass-deactivation breaker (see PUT); null: off',
  })
  mass_deactivation: MassDeactivationLimit | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the settings last changed; null: never set' })
  updated_at: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'platform-admin', description: 'The key that last changed them' })
  updated_by: string | null;
  @ApiProperty({ type: String, nullable: true, example: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f' })
  updated_by_key_id: string | null;
}
