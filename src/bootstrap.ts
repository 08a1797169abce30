import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { createFastifyAdapter, instrumentHttp } from './common/http/http-setup';
import { httpConfig } from './config/http.config';
import { setupSwagger } from './common/http/swagger';

export interface CreateAppOptions {
  swagger?: boolean;
}

// Used by main.ts, consumer.ts and the e2e tests, so tests run exactly what production runs.
export async function createHttpApp(module: Type<unknown> | DynamicModule, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createFastifyAdapter(httpConfig()), {
    bufferLogs: true,
    // Keep fastify's strict JSON parser only: no form bodies (415), no raw-body copies.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  instrumentHttp(app);
  if (options.swagger) setupSwagger(app);
  await app.init();
  return app;
}
