import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationPipe } from '../../../common/validation/request-validation.pipe';
import { RouteChangeDto } from './route-change.dto';
import { parseRouteChangeBody } from './route-change-body';

const metadata: ArgumentMetadata = { type: 'body', metatype: RouteChangeDto };

// The decorators' answer, with the hand validator out of the way.
const viaDecorators = (body: object) => new RequestValidationPipe().answerByDecorators(body, metadata);

const ok = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' };

describe(parseRouteChangeBody.name, () => {
  it.each([
    [ok],
    [{ ...ok, expected_revision: 0 }],
    [{ ...ok, expected_revision: 3 }],
    [{ ...ok, expected_revision: 2147483647 }],
    [{ ...ok, tenant: ' team-a ', expected_revision: 3 }],
    [{ ...ok, expected_revision: -1 }],
    [{ ...ok, expected_revision: 2.5 }],
    [{ ...ok, expected_revision: 2147483648 }],
    [{ ...ok, expected_revision: '3' }],
    [{ ...ok, expected_revision: null }],
    [{ ...ok, expected_revision: false }],
    [{ ...ok, expected_revision: [3] }],
    [{ expected_revision: 'x' }],
    [{ ...ok, tenant: 'a:b', expected_revision: {}, extra: 1 }],
    [{ ...ok, revision: 3 }],
  ])('should give the same answer as the DTO decorators for %j', async (body) => {
    expect(parseRouteChangeBody(body)).toEqual(await viaDecorators(body));
  });

  it('should be the validator the pipe uses for RouteChangeDto bodies', async () => {
    const pipe = new RequestValidationPipe();
    await expect(pipe.transform({ ...ok, tenant: ' t ', expected_revision: 2 }, metadata)).resolves.toEqual({
      ...ok,
      tenant: 't',
      expected_revision: 2,
    });
    await expect(pipe.transform({ ...ok, expected_revision: '2' }, metadata)).rejects.toMatchObject({
      details: [{ field: 'expected_revision', problem: 'must be a whole number from 0 to 2147483647' }],
    });
  });
});
