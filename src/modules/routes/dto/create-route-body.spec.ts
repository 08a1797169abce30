import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationPipe } from '../../../common/validation/request-validation.pipe';
import { CreateRouteDto } from './create-route.dto';
import { parseCreateRouteBody } from './create-route-body';

const metadata: ArgumentMetadata = { type: 'body', metatype: CreateRouteDto };

// The decorators' answer, with the hand validator out of the way.
const viaDecorators = (body: object) => new RequestValidationPipe().answerByDecorators(body, metadata);

const ok = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2', url: 'https://payments-v2.example.com' };

describe(parseCreateRouteBody.name, () => {
  it.each([
    [ok],
    [{ ...ok, tenant: ' team-a ', service: '\tpayments' }],
    [{}],
    [{ url: 'https://x.example.com' }],
    [{ ...ok, url: undefined }],
    [{ ...ok, url: null }],
    [{ ...ok, url: 42 }],
    [{ ...ok, url: ['https://x.example.com'] }],
    [{ ...ok, url: ' https://x.example.com' }],
    [{ ...ok, url: 'HTTPS://X.example.com' }],
    [{ ...ok, url: `https://x.example.com/${'a'.repeat(2100)}` }],
    [{ ...ok, url: 'https://user:pw@x.example.com' }],
    [{ ...ok, url: 'ftp://x.example.com' }],
    [{ ...ok, url: 'https://x.example.com/a/../b' }],
    [{ ...ok, tenant: 'a:b', service: 42, env: '', version: '..', url: 'nope' }],
    [{ ...ok, extra: 1 }],
    [{ extra: 1, ...ok, constructor: 'x', toString: 'y', url: 7 }],
    [{ ...ok, tenant: null, service: ['a'], env: { a: 1 }, version: 'x'.repeat(129) }],
    [{ ...ok, tenant: 'ünï', url: 'https://xn--n-eha.example.com/é' }],
    [{ ...ok, expected_revision: 0 }],
    [{ ...ok, expected_revision: 7 }],
    [{ ...ok, expected_revision: -7 }],
    [{ ...ok, expected_revision: '7' }],
    [{ ...ok, expected_revision: null }],
    [{ ...ok, url: 42, expected_revision: 1.5, tenant: '' }],
  ])('should give the same answer as the DTO decorators for %j', async (body) => {
    expect(parseCreateRouteBody(body)).toEqual(await viaDecorators(body));
  });

  it('should be the validator the pipe uses for CreateRouteDto bodies', async () => {
    const pipe = new RequestValidationPipe();
    await expect(pipe.transform({ ...ok, tenant: ' t ' }, metadata)).resolves.toEqual({ ...ok, tenant: 't' });
    await expect(pipe.transform({ ...ok, url: 1 }, metadata)).rejects.toMatchObject({ details: [{ field: 'url', problem: 'must be a string' }] });
  });
});
