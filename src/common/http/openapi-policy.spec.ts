import { OpenAPIObject } from '@nestjs/swagger';
import { SecurityRequirementObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { applyApiPolicy } from './openapi-policy';

const documentWith = (paths: OpenAPIObject['paths']): OpenAPIObject => ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths });

describe(applyApiPolicy.name, () => {
  it('should require either key on every /api/v1 operation and add the errors a key brings', () => {
    const document = applyApiPolicy(documentWith({ '/api/v1/things': { get: { responses: { 200: { description: 'OK' } } } } }));
    const operation = document.paths['/api/v1/things'].get!;

    expect(operation.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(Object.keys(operation.responses)).toEqual(['200', '400', '401', '403', '429', '503']);
    expect(Object.keys((operation.responses['429'] as { headers: object }).headers)).toEqual(
      expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
    );
  });

  it('should mark other operations open, unless they say otherwise', () => {
    const optional: SecurityRequirementObject[] = [{}, { bearer: [] }];
    const document = applyApiPolicy(
      documentWith({
        '/health/live': { get: { responses: { 200: { description: '' } } } },
        '/metrics': { get: { security: optional, responses: { 200: { description: 'OK' } } } },
      }),
    );

    expect(document.paths['/health/live'].get!.security).toEqual([]);
    expect(document.paths['/health/live'].get!.responses[200]).toEqual({ description: 'OK' });
    expect(Object.keys(document.paths['/health/live'].get!.responses)).toEqual(['200', '400', '503']);
    expect(document.paths['/metrics'].get!.security).toEqual(optional);
  });

  it("should keep an operation's own description of an error", () => {
    const own = { description: 'ROUTE.NOT_FOUND', content: {} };
    const document = applyApiPolicy(documentWith({ '/api/v1/things': { post: { responses: { 503: own, 201: { description: 'Created' } } } } }));

    expect(document.paths['/api/v1/things'].post!.responses[503]).toBe(own);
    expect(Object.keys(document.paths['/api/v1/things'].post!.responses)[0]).toBe('201');
  });
});
