import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationPipe } from '../../../common/validation/request-validation.pipe';
import { parseUpdateTenantSafetyBody, UpdateTenantSafetyDto } from './tenant-safety.dto';

const metadata: ArgumentMetadata = { type: 'body', metatype: UpdateTenantSafetyDto };
const viaDecorators = (body: object) => new RequestValidationPipe().answerByDecorators(body, metadata);
const LIMIT = { max_percent: 30, window_minutes: 10, min_count: 2 };

describe(parseUpdateTenantSafetyBody.name, () => {
  it.each([
    [{ protect_last_active: true }],
    [{ protect_last_active: false, mass_deactivation: LIMIT }],
    [{ protect_last_active: false, mass_deactivation: null }],
    [{}],
    [{ protect_last_active: 'true' }],
    [{ protect_last_active: true, mass_deactivation: { ...LIMIT, max_percent: 100 } }],
    [{ protect_last_active: true, mass_deactivation: { ...LIMIT, extra: 1 } }],
    [{ protect_last_active: true, mass_deactivation: [1] }],
    [{ mass_deactivation: { max_percent: 30 }, other: 1 }],
  ])('should give the same answer as the DTO decorators for %j', async (body) => {
    expect(parseUpdateTenantSafetyBody(body)).toEqual(await viaDecorators(body));
  });

  // Why this DTO has a hand validator at all: the decorators never see such a key.
  it('should refuse a key named like an Object.prototype member inside mass_deactivation, which the decorators let through', async () => {
    const body = JSON.parse('{"protect_last_active":true,"mass_deactivation":{"max_percent":30,"window_minutes":10,"min_count":2,"constructor":1}}');
    expect(parseUpdateTenantSafetyBody(body).details).toEqual([
      { field: 'mass_deactivation', problem: 'has a field that is not accepted: "constructor"' },
    ]);
    expect((await viaDecorators(body)).details).toBeUndefined();
  });
});
