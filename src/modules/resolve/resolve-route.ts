import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { sendError } from '../../common/filters/http-error.filter';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { documentRawRoute } from '../../common/http/openapi-extras';
import { ROUTE_NAME_PATTERN } from '../../common/validation/route-name.decorator';
import { parseRouteKeyQuery } from '../../common/validation/route-key-query';
import { ResolvedRouteResponseDto } from './dto/resolved-route-response.dto';
import { ResolvedRoute, ResolveService } from './resolve.service';
import { RouteKey } from '../../contracts/route-key';
import { Bulkheads } from '../resilience';
import { DrainState } from '../resilience';

export const RESOLVE_PATH = '/api/v1/routes/resolve';

const NAME = { type: 'string' };
// fast-json-stringify writes the answer from this schema, in this field order.
const RESPONSE_SCHEMA = {
  type: 'object',
  properties: { tenant: NAME, service: NAME, env: NAME, version: NAME, url: NAME, revision: { type: 'integer' }, source: NAME },
  required: ['tenant', 'service', 'env', 'version', 'url', 'revision'],
};

// Resolve is served by a plain Fastify route, not a Nest controller: Nest's router, pipes and
// interceptor chain cost several times the whole request here (docs/design.md, "Request pipeline").
// The contract is the same as every other endpoint's: the Fastify hooks of http-setup.ts give it the
// correlation id, request context, metrics and request log; errors go through the same sendError.
@Injectable()
export class ResolveRoute implements OnModuleInit {
  private readonly logger = new Logger('Resolve');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly resolver: ResolveService,
    private readonly bulkheads: Bulkheads,
    private readonly drain: DrainState,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: 'GET',
      url: RESOLVE_PATH,
      schema: { response: { 200: RESPONSE_SCHEMA } },
      handler: (request, reply) => this.handle(request, reply),
    });
    documentRawRoute({ path: RESOLVE_PATH, method: 'get', operation: OPERATION, models: [ResolvedRouteResponseDto, ErrorResponseDto] });
  }

  // The same drain and bulkhead rules as DrainInterceptor and BulkheadInterceptor, inline. An answer
  // from this process's memory is sent synchronously: no promise, no await, and no bulkhead slot (the
  // bulkhead bounds requests that wait on Redis or PostgreSQL; a memory hit waits on nothing).
  private handle(request: FastifyRequest, reply: FastifyReply): unknown {
    const parsed = parseRouteKeyQuery(request.query);
    if (parsed.details) return sendError(reply, request, new ValidationFailedError(parsed.details), this.logger);
    const key = parsed.key;
    try {
      this.drain.enter();
    } catch (err) {
      return sendError(reply, request, err, this.logger);
    }
    let remembered: ResolvedRoute | undefined;
    try {
      remembered = this.resolver.fromMemory(key);
    } catch (err) {
      this.drain.leave();
      return sendError(reply, request, err, this.logger);
    }
    if (remembered) {
      this.drain.leave();
      return body(key, remembered);
    }
    return this.handleMiss(request, reply, key);
  }

  private async handleMiss(request: FastifyRequest, reply: FastifyReply, key: RouteKey): Promise<unknown> {
    try {
      const resolved = await this.bulkheads.run('resolve', () => this.resolver.resolve(key));
      if (resolved.fallback) void reply.header('X-Cache-Fallback', 'true');
      return body(key, resolved);
    } catch (err) {
      return sendError(reply, request, err, this.logger);
    } finally {
      this.drain.leave();
    }
  }
}

function body({ tenant, service, env, version }: RouteKey, { url, revision, fallback }: ResolvedRoute) {
  return fallback ? { tenant, service, env, version, url, revision, source: 'cache_fallback' } : { tenant, service, env, version, url, revision };
}

const nameParam = (name: string, example: string, description: string) => ({
  name,
  in: 'query' as const,
  required: true,
  description,
  schema: { type: 'string' as const, pattern: ROUTE_NAME_PATTERN.source, minLength: 1, maxLength: 128, example },
});
const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
});

const OPERATION = {
  tags: ['resolve'],
  summary: 'Where is tenant/service/env/version?',
  description: 'Answers from the in-process or Redis cache when it can; 404 when the route is missing or inactive.',
  operationId: 'ResolveRoute_resolve',
  parameters: [
    nameParam('tenant', 'team-a', 'Tenant name'),
    nameParam('service', 'payments', 'Service name'),
    nameParam('env', 'prod', 'Environment name'),
    nameParam('version', 'v2', 'Version label'),
    {
      name: 'X-Correlation-ID',
      in: 'header' as const,
      required: false,
      description: 'Echoed on every response; generated when absent or not 1-128 chars of [A-Za-z0-9._-]',
      schema: { type: 'string' as const },
    },
  ],
  responses: {
    200: { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/ResolvedRouteResponseDto' } } } },
    400: error('VALIDATION.FAILED (with details), REQUEST.MALFORMED_JSON or REQUEST.INVALID'),
    404: error('ROUTE.NOT_FOUND'),
    503: error('DEPENDENCY.UNAVAILABLE: a store is down; retry after Retry-After'),
  },
};
