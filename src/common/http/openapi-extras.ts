import { Type } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

interface RawRouteDoc {
  path: string;
  method: 'get' | 'post';
  operation: OperationObject;
  models: Type<unknown>[];
}

const documented: RawRouteDoc[] = [];

// Routes served by a plain Fastify handler (the hot path) are not Nest controllers, so Swagger cannot
// see them; their modules describe them here and setupSwagger merges them into the same document.
export function documentRawRoute(doc: RawRouteDoc): void {
  if (!documented.some((d) => d.path === doc.path && d.method === doc.method)) documented.push(doc);
}

export function rawRouteModels(): Type<unknown>[] {
  return documented.flatMap((d) => d.models);
}

export function addRawRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const { path, method, operation } of documented) {
    document.paths[path] = { ...(document.paths[path] ?? {}), [method]: operation };
  }
  return document;
}
