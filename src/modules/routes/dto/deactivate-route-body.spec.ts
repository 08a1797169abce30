import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationPipe } from '../../../common/validation/request-validation.pipe';
import { parseDeactivateRouteBody } from './deactivate-route-body';
import { DeactivateRouteDto } from './deactivate-route.dto';

const metadata: ArgumentMetadata = { type: 'body', metatype: DeactivateRouteDto };

// The decorators' answer, with the hand validator out of the way.
const viaDecorators = (body: object) => new RequestValidationPipe().answerByDecorators(body, metadata);

const ok = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' };
const long = (n: number) => 'x'.repeat(n);

// The route and expected_revision are RouteChangeDto's (route-change-body.spec.ts covers them); these
// are the override's cases, alone and mixed with the inherited fields' problems.
describe(parseDeactivateRouteBody.name, () => {
  it.each([
    [ok],
    [{ ...ok, tenant: ' team-a ', expected_revision: 3 }],
    [{ ...ok, force: true, reason: 'decommissioned' }],
    [{ ...ok, force: false }],
    [{ ...ok, force: true }],
    [{ ...ok, force: true, reason: null }],
    [{ ...ok, force: true, reason: '   ' }],
    [{ ...ok, force: true, reason: long(500) }],
    [{ ...ok, force: true, reason: long(501) }],
    [{ ...ok, force: true, reason: 7 }],
    [{ ...ok, reason: 'why not' }],
    [{ ...ok, force: false, reason: 'why not' }],
    [{ ...ok, force: 'true', reason: 'x' }],
    [{ ...ok, force: null }],
    [{ ...ok, force: 1, expected_revision: -1 }],
    [{ tenant: 'a:b', force: true, expected_revision: 2, extra: 1 }],
  ])('should give the same answer as the DTO decorators for %j', async (body) => {
    expect(parseDeactivateRouteBody(body)).toEqual(await viaDecorators(body));
  });

  it('should be the validator the pipe uses for DeactivateRouteDto bodies', async () => {
    const pipe = new RequestValidationPipe();
    await expect(pipe.transform({ ...ok, force: true, reason: 'retired' }, metadata)).resolves.toEqual({ ...ok, force: true, reason: 'retired' });
    await expect(pipe.transform({ ...ok, force: true }, metadata)).rejects.toMatchObject({
      details: [{ field: 'reason', problem: 'is required with "force": true (why the interlock is overridden)' }],
    });
  });
});
