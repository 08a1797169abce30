import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationPipe } from '../../../common/validation/request-validation.pipe';
import { RollbackRouteDto } from './rollback-route.dto';
import { parseRollbackRouteBody } from './rollback-route-body';

const metadata: ArgumentMetadata = { type: 'body', metatype: RollbackRouteDto };

// The decorators' answer, with the hand validator out of the way.
const viaDecorators = (body: object) => new RequestValidationPipe().answerByDecorators(body, metadata);

const ok = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2', to_revision: 3 };
const { to_revision: _omitted, ...withoutTarget } = ok;

describe(parseRollbackRouteBody.name, () => {
  it.each([
    [ok],
    [{ ...ok, to_revision: 1 }],
    [{ ...ok, to_revision: 2147483647 }],
    [{ ...ok, expected_revision: 5 }],
    [{ ...ok, expected_revision: 0 }],
    [{ ...ok, tenant: ' team-a ' }],
    [withoutTarget],
    [{ ...ok, to_revision: null }],
    [{ ...ok, to_revision: 0 }],
    [{ ...ok, to_revision: -3 }],
    [{ ...ok, to_revision: 1.5 }],
    [{ ...ok, to_revision: 2147483648 }],
    [{ ...ok, to_revision: '3' }],
    [{ ...ok, to_revision: true }],
    [{ ...ok, to_revision: [3] }],
    [{ ...ok, to_revision: 'x', expected_revision: 'y' }],
    [{ to_revision: 0, expected_revision: -1, tenant: 'a:b', extra: 1 }],
    [{ ...ok, revision: 3 }],
    [{}],
    [{ ...ok, force: true, reason: 'roll back the whole environment' }],
    [{ ...ok, force: true }],
    [{ ...ok, reason: 'no force' }],
    [{ ...ok, to_revision: 0, force: 'yes', reason: '' }],
    [{ tenant: 'a b', force: true, reason: 3, expected_revision: -1, extra: 1 }],
  ])('should give the same answer as the DTO decorators for %j', async (body) => {
    expect(parseRollbackRouteBody(body)).toEqual(await viaDecorators(body));
  });

  it('should be the validator the pipe uses for RollbackRouteDto bodies', async () => {
    const pipe = new RequestValidationPipe();
    await expect(pipe.transform({ ...ok, tenant: ' t ' }, metadata)).resolves.toEqual({ ...ok, tenant: 't' });
    await expect(pipe.transform({ ...ok, to_revision: '2' }, metadata)).rejects.toMatchObject({
      details: [{ field: 'to_revision', problem: 'must be a whole number from 1 to 2147483647' }],
    });
  });
});
