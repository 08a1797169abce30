import { DomainError } from './domain.error';
import { ActiveRouteNotFoundError } from '../../modules/resolve/resolve.errors';
import { UnauthenticatedError } from '../../modules/auth/auth.errors';
import { ServiceOverloadedError } from '../../modules/resilience';
import { ValidationFailedError } from './common.errors';

class SampleError extends DomainError {
  readonly code = 'SAMPLE.ERROR';
}

describe('DomainError', () => {
  const answers: Array<[string, () => DomainError]> = [
    ['a route not found', () => new ActiveRouteNotFoundError({ tenant: 't', service: 's', env: 'prod', version: 'v1' })],
    ['an unauthenticated request', () => new UnauthenticatedError()],
    ['an overloaded bulkhead', () => new ServiceOverloadedError('resolve')],
    ['a validation failure', () => new ValidationFailedError([{ field: 'tenant', problem: 'is required' }])],
    ['a subclass of its own', () => new SampleError('sample')],
  ];

  it.each(answers)('%s carries no stack frames, only its name and message', (_name, make) => {
    const err = make();
    expect(err).toBeInstanceOf(Error);
    expect(err.stack).toBe(`${err.name}: ${err.message}`);
    expect(err.stack).not.toContain('\n    at ');
  });

  it('leaves Error.stackTraceLimit as it found it, so other errors keep their stacks', () => {
    const before = Error.stackTraceLimit;
    new SampleError('sample');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new TypeError('unexpected').stack).toContain('\n    at ');
  });

  it('restores a limit someone else set', () => {
    const before = Error.stackTraceLimit;
    Error.stackTraceLimit = 3;
    try {
      new SampleError('sample');
      expect(Error.stackTraceLimit).toBe(3);
    } finally {
      Error.stackTraceLimit = before;
    }
  });

  it('keeps name, code, details and context', () => {
    const err = new ActiveRouteNotFoundError({ tenant: 't', service: 's', env: 'prod', version: 'v1' });
    expect(err.name).toBe('ActiveRouteNotFoundError');
    expect(err.code).toBe('ROUTE.NOT_FOUND');
    expect(err.message).toBe('No active route found for t/s/prod/v1');
    expect(err.context).toEqual({ tenant: 't', service: 's', env: 'prod', version: 'v1' });
  });
});
