import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addRawRoutes, rawRouteModels } from './openapi-extras';

export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Traffic Manager')
    .setDescription(
      'Multi-tenant routing control plane: tenant → service → environment → version → endpoint URL. ' +
        'Every error is JSON `{error, message, details?, correlation_id}`; every response carries X-Correlation-ID.',
    )
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => addRawRoutes(SwaggerModule.createDocument(app, config, { extraModels: rawRouteModels() })), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
}
