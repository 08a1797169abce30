import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';
import { addRawRoutes, describeLibraryRoutes, rawRouteModels } from './openapi-extras';
import { API_KEY_SCHEME, applyApiPolicy, BEARER_SCHEME } from './openapi-policy';

const OPENAPI_JSON_PATH = 'docs/openapi.json';

const DESCRIPTION =
  'Multi-tenant routing control plane: tenant → service → environment → version → endpoint URL.\n\n' +
  'Every `/api/v1` operation needs an API key, sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`. ' +
  'Roles: `reader` (resolve, list, get, audit), `writer` (+ create, activate, deactivate), `admin` (+ keys). ' +
  'A key bound to one tenant sees only that tenant: anything else answers 404, and lists and audit queries leave it out.\n\n' +
  'Reads and writes are rate limited per tenant: 429 with Retry-After; X-RateLimit-* headers give the limit and what is left.\n\n' +
  'Every error is JSON `{error, message, details?, correlation_id}`; every response carries X-Correlation-ID.';

const TAGS: Array<[string, string]> = [
  ['resolve', 'Where a version of a service is: the hot path, answered from cache. Role: reader'],
  ['routes', 'Route configurations. Roles: reader to list and read, writer to create, activate and deactivate'],
  ['schedules', 'Changesets to apply at a given time: schedule, list, read, cancel. Roles: reader to read, writer to schedule and cancel'],
  [
    'tenants',
    "A tenant's write-time safety interlocks (refuse leaving an environment with no active version). Roles: reader to read, admin to change",
  ],
  ['webhooks', 'Route changes POSTed to your URLs as signed CloudEvents, with retries and a delivery log. Role: admin'],
  ['audit', 'Who changed which route when, from the audit trail. Role: reader'],
  ['keys', 'API keys: create (the secret is shown once), list, read and revoke. Role: admin'],
  ['health', 'Liveness, readiness and resilience state of this process. No key'],
  ['metrics', 'Prometheus metrics. No key unless METRICS_AUTH=key (then a platform key)'],
];

function documentConfig(): Omit<OpenAPIObject, 'paths'> {
  const builder = new DocumentBuilder()
    .setTitle('Traffic Manager')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addServer('/', 'The server this document was fetched from')
    .addServer('http://127.0.0.1:8000', 'Local development (npm run start:stack)')
    // addSecurity, not addBearerAuth: that one declares a JWT, and the keys are opaque strings.
    .addSecurity(BEARER_SCHEME, { type: 'http', scheme: 'bearer', description: 'An API key as `Authorization: Bearer <key>`' })
    .addSecurity(API_KEY_SCHEME, { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same API key as `X-API-Key: <key>`' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const config = builder.build();
  // A private, unlicensed package (package.json): no licence text to link to, see redocly.yaml.
  // DocumentBuilder's empty contact object says nothing, so it goes.
  const { contact: _empty, ...info } = config.info;
  return { ...config, info: { ...info, license: { name: 'UNLICENSED: proprietary, internal use only' } } };
}

// The one document: served at /docs/openapi.json and written by scripts/openapi.ts for `redocly lint`.
// It reads only decorators and the modules' own descriptions, never configuration, so both are equal.
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(app, documentConfig(), { extraModels: [ErrorResponseDto, ...rawRouteModels()] });
  return applyApiPolicy(describeLibraryRoutes(addRawRoutes(document)));
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH });
}
