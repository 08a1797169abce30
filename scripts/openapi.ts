// Writes the API's OpenAPI document (the one served at /docs/openapi.json) to the given file, without
// any infrastructure: Nest's preview mode builds the module graph and reads the controllers' metadata
// but instantiates no provider, so nothing connects to PostgreSQL, Redis, Kafka or MongoDB.
// Usage: ts-node --transpile-only scripts/openapi.ts <output.json>   (npm run openapi:lint)
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { AppModule } from '../src/app.module';
import { buildOpenApiDocument } from '../src/common/http/swagger';

async function main(output: string | undefined): Promise<void> {
  if (!output) throw new Error('usage: scripts/openapi.ts <output.json>');
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  const document = buildOpenApiDocument(app);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
}

main(process.argv[2]).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`openapi: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
