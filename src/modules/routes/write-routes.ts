import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { sendError } from '../../common/filters/http-error.filter';
import { documentRawRoute } from '../../common/http/openapi-extras';
import { HandValidated } from '../../common/validation/hand-validators';
import { bodyShapeProblem } from '../../common/validation/json-body';
import { Principal, roleAllows } from '../../contracts/principal';
import { RouteKey } from '../../contracts/route-key';
import { Authenticator, ForbiddenError } from '../auth';
import { addressedTenant, WriteLimiter } from '../rate-limit';
import { Bulkheads, DrainState } from '../resilience';
import { AppliedChange, Precondition } from '../route-store';
import { CreateRouteBody, parseCreateRouteBody } from './dto/create-route-body';
import { CreateRouteDto } from './dto/create-route.dto';
import { RouteChangeBody, parseRouteChangeBody } from './dto/route-change-body';
import { RouteChangeDto } from './dto/route-change.dto';
import { DeactivateRouteBody, parseDeactivateRouteBody } from './dto/deactivate-route-body';
import { DeactivateRouteDto } from './dto/deactivate-route.dto';
import { forceReasonOf } from './dto/force-override';
import { parseRollbackRouteBody, RollbackRouteBody } from './dto/rollback-route-body';
import { RollbackRouteDto } from './dto/rollback-route.dto';
import { RouteResponseDto } from './dto/route-response.dto';
import { RoutesService } from './routes.service';
import { ACTIVATE_OPERATION, CHANGESET_OPERATION, CREATE_OPERATION, DEACTIVATE_OPERATION, ROLLBACK_OPERATION } from './write-routes-doc';
import { CHANGESET_MAX_CHANGES, parseChangesetBody } from './dto/changeset-body';
import { ChangesetChangeDto, ChangesetDto, ChangesetResponseDto, ChangesetResultDto } from './dto/changeset.dto';
import { preconditionOf } from './write-precondition';

const BASE = '/api/v1/routes';

// Every write body may carry expected_revision (write-precondition.ts).
type Conditional = { expected_revision?: number };

interface WriteOperation<T extends Conditional> {
  path: string;
  parse(body: object): HandValidated<T>;
  apply(routes: RoutesService, caller: Principal, input: T, precondition: Precondition | undefined): Promise<AppliedChange>;
}

const keyOf = ({ tenant, service, env, version }: RouteKey): RouteKey => ({ tenant, service, env, version });

const CREATE: WriteOperation<CreateRouteBody> = {
  path: BASE,
  parse: parseCreateRouteBody,
  apply: (routes, caller, input, precondition) => routes.create(caller, keyOf(input), input.url, precondition),
};
const ACTIVATE: WriteOperation<RouteChangeBody> = {
  path: `${BASE}/activate`,
  parse: parseRouteChangeBody,
  apply: (routes, caller, input, precondition) => routes.activate(caller, keyOf(input), precondition),
};
const DEACTIVATE: WriteOperation<DeactivateRouteBody> = {
  path: `${BASE}/deactivate`,
  parse: parseDeactivateRouteBody,
  apply: (routes, caller, input, precondition) => routes.deactivate(caller, keyOf(input), precondition, forceReasonOf(input)),
};

const ROLLBACK: WriteOperation<RollbackRouteBody> = {
  path: `${BASE}/rollback`,
  parse: parseRollbackRouteBody,
  apply: (routes, caller, input, precondition) => routes.rollback(caller, keyOf(input), input.to_revision, precondition, forceReasonOf(input)),
};

documentRawRoute({ path: CREATE.path, method: 'post', operation: CREATE_OPERATION, models: [CreateRouteDto, RouteResponseDto] });
documentRawRoute({ path: ACTIVATE.path, method: 'post', operation: ACTIVATE_OPERATION, models: [RouteChangeDto, RouteResponseDto] });
documentRawRoute({ path: DEACTIVATE.path, method: 'post', operation: DEACTIVATE_OPERATION, models: [DeactivateRouteDto, RouteResponseDto] });
documentRawRoute({ path: ROLLBACK.path, method: 'post', operation: ROLLBACK_OPERATION, models: [RollbackRouteDto, RouteResponseDto] });

const CHANGESET_PATH = `${BASE}/changeset`;
const CHANGESET_BODY_LIMIT_BYTES = 256 * 1024;
documentRawRoute({
  path: CHANGESET_PATH,
  method: 'post',
  operation: CHANGESET_OPERATION,
  models: [ChangesetDto, ChangesetChangeDto, ChangesetResponseDto, ChangesetResultDto, RouteResponseDto],
});

// The rate-limit cost of a changeset, from its raw body: its number of changes, within 1..the maximum.
function changesetCost(body: unknown): number {
  const changes =
    body !== null && typeof body === 'object' && Object.prototype.hasOwnProperty.call(body, 'changes')
      ? (body as { changes: unknown }).changes
      : undefined;
  return Array.isArray(changes) ? Math.min(Math.max(changes.length, 1), CHANGESET_MAX_CHANGES) : 1;
}

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
const CHANGESET_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    tenant: STRING,
    changes: {
      type: 'array',
      items: { type: 'object', properties: { outcome: STRING, route: RESPONSE_SCHEMA }, required: ['outcome', 'route'] },
    },
    count: { type: 'integer' },
    dry_run: { type: 'boolean' },
  },
  required: ['tenant', 'changes', 'count'],
};

// The route writes (create, activate, deactivate, rollback, changesets) are served by plain Fastify
// routes, as resolve is, not by the Nest controller: Nest's router, throttler guard and interceptor chain allocated about a third of what a
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
    for (const operation of [CREATE, ACTIVATE, DEACTIVATE, ROLLBACK] as WriteOperation<Conditional>[]) {
      fastify.route({
        method: 'POST',
        url: operation.path,
        schema: { response: { 200: RESPONSE_SCHEMA, 201: RESPONSE_SCHEMA } },
        handler: (request, reply) => this.handle(operation, request, reply),
      });
    }
    fastify.route({
      method: 'POST',
      url: CHANGESET_PATH,
      // Up to 100 changes with URLs of up to 2 KiB each: more than a single write's 16 KiB.
      bodyLimit: CHANGESET_BODY_LIMIT_BYTES,
      schema: { response: { 200: CHANGESET_RESPONSE_SCHEMA } },
      handler: (request, reply) => this.handleChangeset(request, reply),
    });
  }

  private handle<T extends Conditional>(operation: WriteOperation<T>, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    return this.serve(request, reply, 1, async (caller) => {
      const input = this.parse(operation.parse, request.body);
      const condition = preconditionOf(request.headers, input.expected_revision);
      if (condition.problems) throw new ValidationFailedError(condition.problems);
      const change = await this.bulkheads.run('writes', () => operation.apply(this.routes, caller, input, condition.precondition));
      if (change.created) void reply.code(201);
      return RouteResponseDto.from(change.route);
    });
  }

  // A changeset costs one write per change in the rate limit (counted from the body before it is
  // validated, at least 1 and at most the maximum) and takes one slot of the writes bulkhead.
  // Its preconditions are per change (expected_revision); If-Match and If-None-Match name one
  // resource and are refused here rather than applied to every change.
  private handleChangeset(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    return this.serve(request, reply, changesetCost(request.body), async (caller) => {
      const input = this.parse(parseChangesetBody, request.body);
      const headers = (['if-match', 'if-none-match'] as const).filter((name) => request.headers[name] !== undefined);
      if (headers.length) {
        throw new ValidationFailedError(
          headers.map((name) => ({
            field: name === 'if-match' ? 'If-Match' : 'If-None-Match',
            problem: 'is not accepted on a changeset: send expected_revision in each change',
          })),
        );
      }
      const run = input.dry_run ? this.routes.previewChangeset : this.routes.applyChangeset;
      const applied = await this.bulkheads.run('writes', () => run.call(this.routes, caller, input.changes, forceReasonOf(input)));
      return {
        tenant: input.tenant,
        changes: applied.map((change) => ({
          outcome: change.created ? 'created' : change.changed ? 'changed' : 'unchanged',
          route: RouteResponseDto.from(change.route),
        })),
        count: applied.length,
        ...(input.dry_run ? { dry_run: true } : {}),
      };
    });
  }

  // Every route write, step for step in the order Nest ran them (see the class comment).
  private async serve(request: FastifyRequest, reply: FastifyReply, cost: number, work: (caller: Principal) => Promise<unknown>): Promise<unknown> {
    try {
      const caller = await this.authenticator.authenticate(request.headers);
      if (!roleAllows(caller.role, 'writer')) {
        this.authenticator.countForbidden();
        throw new ForbiddenError('writer', caller.role);
      }
      request.principal = caller;
      await this.limiter.take(reply, caller, addressedTenant(request), cost);
      this.drain.enter();
      try {
        return await work(caller);
      } finally {
        this.drain.leave();
      }
    } catch (err) {
      sendError(reply, request, err, this.logger);
      return reply;
    }
  }

  private parse<T>(parse: (body: object) => HandValidated<T>, body: unknown): T {
    const problem = bodyShapeProblem(body);
    if (problem) throw new ValidationFailedError([problem]);
    const parsed = parse((body ?? {}) as object);
    if (parsed.details) throw new ValidationFailedError(parsed.details);
    return parsed.value;
  }
}
