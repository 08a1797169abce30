import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { ValidationFailedError } from './common.errors';
import { DomainError } from './domain.error';
import { toErrorResponse } from './error-response';

class ThingNotFoundError extends DomainError {
  readonly code = 'THING.NOT_FOUND';
}

describe(toErrorResponse.name, () => {
  it('should map domain error codes to statuses and keep the details', () => {
    const validation = toErrorResponse(new ValidationFailedError([{ field: 'tenant', problem: 'is required' }]), 'c-1');

    expect(validation).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION.FAILED', details: [{ field: 'tenant', problem: 'is required' }], correlation_id: 'c-1' },
      unexpected: false,
    });
    expect(toErrorResponse(new ThingNotFoundError('gone'), null).status).toBe(404);
  });

  it.each([
    ['THING.NOT_FOUND', 404],
    ['THING.PART_NOT_FOUND', 404],
    ['THING.CONFLICT', 409],
    ['ROUTE.REVISION_CONFLICT', 409],
    ['KEY.ALREADY_EXISTS', 409],
    ['THING.NAME_ALREADY_EXISTS', 409],
    ['ROUTE.PRECONDITION_FAILED', 412],
    ['THING.EDIT_PRECONDITION_FAILED', 412],
    ['REQUEST.INVALID', 400],
    ['THING.FIELD_INVALID', 400],
    ['STORE.UNAVAILABLE', 503],
    ['THING.INVALIDATED', 500],
    ['THING.NOT_FOUNDRY', 500],
  ])("should map a code by its reason's last words: %s is %d", (code, status) => {
    class Coded extends DomainError {
      readonly code = code;
    }
    expect(toErrorResponse(new Coded('x'), null).status).toBe(status);
  });

  it('should turn fastify body errors into stable client error codes', () => {
    expect(toErrorResponse(new HttpException("Body is not valid JSON but content-type is set to 'application/json'", 400), null).body.error).toBe(
      'REQUEST.MALFORMED_JSON',
    );
    expect(toErrorResponse(new HttpException('Unsupported Media Type', 415), null).body.error).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
    expect(toErrorResponse(new HttpException('Request body is too large', 413), null).body.error).toBe('REQUEST.TOO_LARGE');
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), null).body).toMatchObject({ error: 'HTTP.NOT_FOUND' });
    expect(toErrorResponse(new BadRequestException('nope'), null).body.error).toBe('REQUEST.INVALID');
    // @fastify/static's refusals (a path outside the root, an unsatisfiable Range) and the body timeout.
    expect(toErrorResponse({ statusCode: 403, message: 'Forbidden' }, null)).toMatchObject({ status: 403, body: { error: 'HTTP.FORBIDDEN' } });
    expect(toErrorResponse({ statusCode: 416, message: 'Range Not Satisfiable' }, null).body.error).toBe('HTTP.RANGE_NOT_SATISFIABLE');
    expect(toErrorResponse({ statusCode: 408, message: 'late' }, null)).toMatchObject({ status: 408, body: { error: 'REQUEST.TIMEOUT' } });
  });

  it('should answer 503 with Retry-After when PostgreSQL is unreachable', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

    const response = toErrorResponse(err, null);

    expect(response.status).toBe(503);
    expect(response.headers['Retry-After']).toBe('1');
    expect(response.body.error).toBe('DEPENDENCY.UNAVAILABLE');
  });

  it('should hide unknown errors behind a logged 500', () => {
    const response = toErrorResponse(new TypeError('x is undefined'), 'c-2');

    expect(response).toMatchObject({ status: 500, unexpected: true, body: { error: 'INTERNAL.ERROR', correlation_id: 'c-2' } });
    expect(response.body.message).not.toContain('undefined');
  });
});
