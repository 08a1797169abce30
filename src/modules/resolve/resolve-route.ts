import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { ErrorDetail } from '../../common/errors/domain.error';
import { sendError } from '../../common/filters/http-error.filter';
import { deferRequestContext, inRequestContext } from '../../common/context/request-context';
import { documentRawRoute } from '../../common/http/openapi-extras';
import { parseRouteKeyQuery } from '../../common/validation/route-key-query';
import { ResolvedRouteResponseDto } from './dto/resolved-route-response.dto';
import { RESOLVE_OPERATION } from './resolve-route-doc';
import { ResolvedRoute, ResolveService } from './resolve.service';
import { RouteKey } from '../../contracts/route-key';
import { Bulkheads } from '../resilience';
import { DrainState } from '../resilience';
import { ReadLimiter } from '../rate-limit';
import { Authenticator } from '../auth';
import { inScope, Principal } from '../../contracts/principal';
import { ActiveRouteNotFoundError } from './resolve.errors';
import { IfNoneMatch, notModified, parseIfNoneMatch, revisionTag } from './conditional';
import { MIN_REVISION_HEADER, parseMinRevision } from './min-revision';
import { parsePreferWait } from './prefer-wait';
import { Watch } from './route-watchers';

export const RESOLVE_PATH = '/api/v1/routes/resolve';

documentRawRoute({ path: RESOLVE_PATH, method: 'get', operation: RESOLVE_OPERATION, models: [ResolvedRouteResponseDto] });

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
// correlation id, metrics and request log; errors go through the same sendError. The request context
// is started here, not by the hook, and only off the memory-hit path: every branch that can log or
// wait goes through inRequestContext (common/context/request-context.ts).
@Injectable()
export class ResolveRoute implements OnModuleInit {
  private readonly logger = new Logger('Resolve');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly resolver: ResolveService,
    private readonly bulkheads: Bulkheads,
    private readonly drain: DrainState,
    private readonly readLimiter: ReadLimiter,
    private readonly authenticator: Authenticator,
  ) {}

  onModuleInit(): void {
    deferRequestContext(RESOLVE_PATH);
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: 'GET',
      url: RESOLVE_PATH,
      schema: { response: { 200: RESPONSE_SCHEMA } },
      handler: (request, reply) => this.handle(request, reply),
    });
    // Held long-polls answer at once when draining begins, so they cannot hold the instance up.
    this.drain.onBegin(() => this.resolver.releaseWatches());
  }

  // Authentication first, as AuthGuard does for the Nest routes (every role may resolve): a key this
  // instance holds is checked synchronously, so a memory hit stays promise-free; only a key not held
  // yet waits for PostgreSQL.
  private handle(request: FastifyRequest, reply: FastifyReply): unknown {
    let principal: Principal | Promise<Principal>;
    try {
      principal = this.authenticator.authenticate(request.headers);
    } catch (err) {
      return this.fail(request, reply, err);
    }
    if (principal instanceof Promise) {
      const pending = principal;
      return inRequestContext(request, () =>
        pending.then(
          (held) => this.serve(request, reply, held),
          (err: unknown) => sendError(reply, request, err, this.logger),
        ),
      );
    }
    return this.serve(request, reply, principal);
  }

  private fail(request: FastifyRequest, reply: FastifyReply, err: unknown): void {
    inRequestContext(request, () => sendError(reply, request, err, this.logger));
  }

  // The same drain and bulkhead rules as DrainInterceptor and BulkheadInterceptor, inline. An answer
  // from this process's memory is sent synchronously: no promise, no await, and no bulkhead slot (the
  // bulkhead bounds requests that wait on Redis or PostgreSQL; a memory hit waits on nothing).
  private serve(request: FastifyRequest, reply: FastifyReply, principal: Principal): unknown {
    request.principal = principal;
    const parsed = parseRouteKeyQuery(request.query);
    if (parsed.details) return this.fail(request, reply, new ValidationFailedError(parsed.details));
    const key = parsed.key;
    const conditions = conditionsOf(request);
    if (conditions.problems) return this.fail(request, reply, new ValidationFailedError(conditions.problems));
    // Per-instance read limit (no Redis round trip), before the scope check as on the Nest routes:
    // a tenant key's requests for other tenants spend its own budget too.
    const limited = this.readLimiter.take(principal, key.tenant);
    if (limited) return inRequestContext(request, () => this.readLimiter.refuse(request, reply, limited));
    // Another tenant's route is answered exactly as a missing one, before any cache tier is touched,
    // so nothing about it leaks (the limit above counted the caller's own tenant, not that one). A
    // Principal is its own TenantScope (the same `tenant` field): no scope object per request.
    if (!inScope(principal, key.tenant)) return this.fail(request, reply, new ActiveRouteNotFoundError(key));
    try {
      this.drain.enter();
    } catch (err) {
      return this.fail(request, reply, err);
    }
    let remembered: ResolvedRoute | undefined;
    try {
      remembered = this.resolver.fromMemory(key, conditions.minRevision);
    } catch (err) {
      this.drain.leave();
      return this.fail(request, reply, err);
    }
    if (remembered) {
      this.drain.leave();
      return this.respond(request, reply, key, remembered, conditions);
    }
    return inRequestContext(request, () => this.handleMiss(request, reply, key, conditions));
  }

  private async handleMiss(request: FastifyRequest, reply: FastifyReply, key: RouteKey, conditions: Conditions): Promise<unknown> {
    try {
      const resolved = await this.bulkheads.run('resolve', () => this.resolver.resolve(key, conditions.minRevision));
      if (resolved.fallback) void reply.header('X-Cache-Fallback', 'true');
      return this.respond(request, reply, key, resolved, conditions);
    } catch (err) {
      return sendError(reply, request, err, this.logger);
    } finally {
      this.drain.leave();
    }
  }

  // Long-poll (Prefer: wait with If-None-Match): an answer that would be 304 is held until the route
  // changes or the wait is over. Not held (answered at once, without Preference-Applied) while the
  // instance drains, while change announcements cannot reach it, or when it holds its maximum.
  private respond(request: FastifyRequest, reply: FastifyReply, key: RouteKey, resolved: ResolvedRoute, conditions: Conditions): unknown {
    const { ifNoneMatch, waitSeconds } = conditions;
    if (waitSeconds > 0 && ifNoneMatch !== undefined && notModified(ifNoneMatch, resolved.revision) && !this.drain.isDraining) {
      return inRequestContext(request, () => {
        const watch = this.resolver.watch(key, resolved.revision, waitSeconds * 1000);
        return watch ? this.hold(request, reply, key, resolved, conditions, watch) : answer(reply, key, resolved, conditions);
      });
    }
    return answer(reply, key, resolved, conditions);
  }

  // Waits on the watch, then answers: 304 as before if nothing changed, else the route as it is now
  // (at least the announced revision: read-your-writes), a 404 if it was deactivated. No drain slot
  // and no bulkhead slot while waiting: a held request waits on nothing but the announcement.
  private async hold(
    request: FastifyRequest,
    reply: FastifyReply,
    key: RouteKey,
    resolved: ResolvedRoute,
    conditions: Conditions,
    watch: Watch,
  ): Promise<unknown> {
    reply.raw.once('close', watch.cancel);
    void reply.header('preference-applied', `wait=${conditions.waitSeconds}`);
    const end = await watch.ended;
    if (end.kind !== 'changed') return answer(reply, key, resolved, conditions);
    try {
      const now = await this.bulkheads.run('resolve', () => this.resolver.resolve(key, end.revision));
      if (now.fallback) void reply.header('X-Cache-Fallback', 'true');
      else void reply.removeHeader('X-Cache-Fallback');
      return answer(reply, key, now, conditions);
    } catch (err) {
      return sendError(reply, request, err, this.logger);
    }
  }
}

// The request's conditions: a conditional poll (If-None-Match, conditional.ts), held as a long-poll
// with Prefer: wait (prefer-wait.ts), and read-your-writes (X-Min-Revision, min-revision.ts), or the
// problems with them. An ordinary resolve sends neither If-None-Match nor X-Min-Revision: two
// property lookups and no allocation.
interface Conditions {
  ifNoneMatch?: IfNoneMatch;
  minRevision: number;
  // Long-poll: how long a 304 may be held for a change (Prefer: wait, only with If-None-Match).
  waitSeconds: number;
  problems?: ErrorDetail[];
}
const UNCONDITIONAL: Conditions = { minRevision: 0, waitSeconds: 0 };

function conditionsOf(request: FastifyRequest): Conditions {
  const ifNoneMatch = request.headers['if-none-match'];
  const minRevision = request.headers[MIN_REVISION_HEADER];
  if (ifNoneMatch === undefined && minRevision === undefined) return UNCONDITIONAL;
  const conditional = ifNoneMatch === undefined ? undefined : parseIfNoneMatch(ifNoneMatch);
  const asked = minRevision === undefined ? undefined : parseMinRevision(minRevision);
  const wait = ifNoneMatch === undefined ? undefined : parsePreferWait(request.headers.prefer);
  const problems = [conditional?.problem, asked?.problem, wait?.problem].filter((problem) => problem !== undefined);
  return {
    ifNoneMatch: conditional?.condition,
    minRevision: asked?.revision ?? 0,
    waitSeconds: wait?.seconds ?? 0,
    ...(problems.length ? { problems } : {}),
  };
}

// 200 with the route and its revision's tag, or 304 (no body) when the client already has that revision.
function answer(reply: FastifyReply, key: RouteKey, resolved: ResolvedRoute, { ifNoneMatch }: Conditions): unknown {
  void reply.header('etag', revisionTag(resolved.revision));
  if (ifNoneMatch !== undefined && notModified(ifNoneMatch, resolved.revision)) return reply.code(304).send();
  return body(key, resolved);
}

function body({ tenant, service, env, version }: RouteKey, { url, revision, fallback }: ResolvedRoute) {
  return fallback ? { tenant, service, env, version, url, revision, source: 'cache_fallback' } : { tenant, service, env, version, url, revision };
}
