import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { RequestValidationPipe } from './request-validation.pipe';
import { RouteKeyDto } from './route-key.dto';
import { parseRouteKeyQuery } from './route-key-query';

const metadata: ArgumentMetadata = { type: 'query', metatype: RouteKeyDto };

// The hand-written resolve validator must agree with the DTO rules every other endpoint uses.
async function viaPipe(query: Record<string, unknown>) {
  const answer = await new RequestValidationPipe().answerByDecorators(query, metadata);
  return answer.details ? { details: answer.details } : { key: answer.value };
}

describe(parseRouteKeyQuery.name, () => {
  it.each([
    [{ tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' }],
    [{ tenant: ' team-a ', service: 'payments', env: 'prod', version: 'v2' }],
    [{}],
    [{ tenant: 'a', service: 'b', env: 'c' }],
    [{ tenant: 'a', service: 'b', env: 'c', version: '..' }],
    [{ tenant: 'a', service: 'b', env: 'c', version: '.v' }],
    [{ tenant: ['a', 'b'], service: 'b', env: 'c', version: 'v1' }],
    [{ tenant: 'a:b', service: 'b/c', env: '', version: 'x'.repeat(129) }],
    [{ tenant: 'a', service: 'b', env: 'c', version: 'v1', foo: 'x' }],
    [{ tenant: 'a', service: 'b', env: 'c', version: 'v1', constructor: 'x', toString: 'y' }],
    [{ tenant: 'ünï', service: 'b', env: 'c', version: 'v1\u0000' }],
    // As a JSON body (activate, deactivate), values of other types.
    [{ tenant: 1, service: null, env: { a: 1 }, version: true }],
    [{ tenant: 'a', service: 'b', env: 'c', version: 'v1', url: 'https://x.example.com' }],
  ])('should give the same answer as the DTO pipe for %j', async (query) => {
    expect(parseRouteKeyQuery(query)).toEqual(await viaPipe(query));
  });
});
