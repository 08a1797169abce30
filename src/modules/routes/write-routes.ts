import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { sendError } from '../../common/filters/http-error.filter';
import { documentRawRoute } from '../../common/http/openapi-extras';
import { HandValidated } from '../../common/validation/hand-validators';
import { bodyShapeProblem } from '../../common/validation/json-body';
import { parseRouteKeyBody, RouteKeyDto } from '../../common/validation/route-key.dto';
import { Principal, roleAllows } from '../../contracts/principal';
import { RouteKey } from '../../contracts/route-key';
import { Authenticator, ForbiddenError } from '../auth';
import { addressedTenant, WriteLimiter } from '../rate-limit';
import { Bulkheads, DrainState } from '../resilience';
import { AppliedChange } from '../route-store';
import { parseCreateRouteBody } from './dto/create-route-body';
import { CreateRouteDto } from './dto/create-route.dto';
import { RouteResponseDto } from './dto/route-response.dto';
import { RoutesService } from './routes.service';
import { ACTIVATE_OPERATION, CREATE_OPERATION, DEACTIVATE_OPERATION } from './write-routes-doc';

const BASE = '/api/v1/routes';

interface WriteOperation<T> {
  path: string;
  parse(body: object): HandValidated<T>;
  apply(routes: RoutesService, caller: Principal, input: T): Promise<AppliedChange>;
}

const CREATE: WriteOperation<RouteKey & { url: string }> = {
  path: BASE,
  parse: parseCreateRouteBody,
  apply: (routes, caller, { url, ...key }) => routes.create(caller, key, url),
};
const ACTIVATE: WriteOperation<RouteKey> = {
  path: `${BASE}/activate`,
  parse: parseRouteKeyBody,
  apply: (routes, caller, key) => routes.activate(caller, key),
};
const DEACTIVATE: WriteOperation<RouteKey> = {
  path: `${BASE}/deactivate`,
  parse: parseRouteKeyBody,
  apply: (routes, caller, key) => routes.deactivate(caller, key),
};

documentRawRoute({ path: CREATE.path, method: 'post', operation: CREATE_OPERATION, models: [CreateRouteDto, RouteResponseDto] });
documentRawRoute({ path: ACTIVATE.path, method: 'post', operation: ACTIVATE_OPERATION, models: [RouteKeyDto, RouteResponseDto] });
documentRawRoute({ path: DEACTIVATE.path, method: 'post', operation: DEACTIVATE_OPERATION, models: [RouteKeyDto, RouteResponseDto] });

const STRING = { type: 'string' };
// fast-json-stringify writes the answer from this schema, in RouteResponseDto's field order.
const RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    tenant: STRING,
    service: STRING,
    env: STRING,
    version: STRING,
    url: STRING,
    is_active: { type: 'boolean' },
    revision: { type: 'integer' },
    created_at: STRING,
    updated_at: STRING,
  },
  required: ['tenant', 'service', 'env', 'version', 'url', 'is_active', 'revision', 'created_at', 'updated_at'],
};

// The three route writes are served by plain Fastify routes, as resolve is, not by the Nest
// controller: Nest's router, throttler guard and interceptor chain allocated about a third of what a
// write allocated, and at a thousand writes a second that garbage is what grew the heap
// (docs/design.md, "Request pipeline" and "Memory"). The contract is unchanged, step for step in the
// order Nest ran it: authentication and the writer role (AuthGuard), the write limit (the throttler
// guard: same Redis counter, bucket and headers), draining (DrainInterceptor), the body's validation
// (the global pipe's hand validators), the writes bulkhead (BulkheadInterceptor), then the service.
// Correlation id, request context, metrics and the request log come from the Fastify hooks of
// http-setup.ts; every error goes through the same sendError as the Nest exception filter.
@Injectable()
export class WriteRoutes implements OnModuleInit {
  private readonly logger = new Logger('HttpError');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly routes: RoutesService,
    private readonly authenticator: Authenticator,
    private readonly limiter: WriteLimiter,
    private readonly drain: DrainState,
    private readonly bulkheads: Bulkheads,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const operation of [CREATE, ACTIVATE, DEACTIVATE] as WriteOperation<unknown>[]) {
      fastify.route({
        method: 'POST',
        url: operation.path,
        schema: { response: { 200: RESPONSE_SCHEMA, 201: RESPONSE_SCHEMA } },
        handler: (request, reply) => this.handle(operation, request, reply),
      });
    }
  }

  private async handle<T>(operation: WriteOperation<T>, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    try {
      const caller = await this.authenticator.authenticate(request.headers);
      if (!roleAllows(caller.role, 'writer')) {
        this.authenticator.countForbidden();
        throw new ForbiddenError('writer', caller.role);
      }
      request.principal = caller;
      await this.limiter.take(reply, caller, addressedTenant(request));
      this.drain.enter();
      try {
        const input = this.parse(operation, request.body);
        const change = await this.bulkheads.run('writes', () => operation.apply(this.routes, caller, input));
        if (change.created) void reply.code(201);
        return RouteResponseDto.from(change.route);
      } finally {
        this.drain.leave();
      }
    } catch (err) {
      sendError(reply, request, err, this.logger);
      return reply;
    }
  }

  private parse<T>(operation: WriteOperation<T>, body: unknown): T {
    const problem = bodyShapeProblem(body);
    if (problem) throw new ValidationFailedError([problem]);
    const parsed = operation.parse((body ?? {}) as object);
    if (parsed.details) throw new ValidationFailedError(parsed.details);
    return parsed.value;
  }
}
