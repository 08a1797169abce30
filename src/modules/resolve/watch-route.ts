import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'stream';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { ErrorDetail } from '../../common/errors/domain.error';
import { sendError } from '../../common/filters/http-error.filter';
import { documentRawRoute } from '../../common/http/openapi-extras';
import { routeNameProblem, unknownFields } from '../../common/validation/route-key-query';
import { Principal } from '../../contracts/principal';
import { Authenticator } from '../auth';
import { ReadLimiter } from '../rate-limit';
import { DrainState, ServiceDrainingError, ServiceOverloadedError } from '../resilience';
import { PreparedStream, RouteStreams, StreamFilter, StreamSink } from './route-streams';
import { WATCH_OPERATION } from './watch-route-doc';

export const WATCH_PATH = '/api/v1/routes/watch';

documentRawRoute({ path: WATCH_PATH, method: 'get', operation: WATCH_OPERATION, models: [] });

const FILTERS = ['tenant', 'service', 'env'] as const;
// Event ids are milliseconds since 1970: up to 15 digits.
const EVENT_ID = /^\d{1,15}$/;

// GET /api/v1/routes/watch: a server-sent event stream of route changes (docs/design.md, "Watch
// streams"), a plain Fastify route like resolve because a stream must not hold a bulkhead slot or
// run through Nest's interceptors for its whole life. Authentication, the read limit (one read per
// stream), drain and the error contract are those of resolve.
@Injectable()
export class WatchRoute implements OnModuleInit {
  private readonly logger = new Logger('Watch');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly streams: RouteStreams,
    private readonly drain: DrainState,
    private readonly readLimiter: ReadLimiter,
    private readonly authenticator: Authenticator,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({ method: 'GET', url: WATCH_PATH, handler: (request, reply) => this.handle(request, reply) });
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(request.headers);
    } catch (err) {
      return sendError(reply, request, err, this.logger);
    }
    request.principal = principal;
    const parsed = parseWatchRequest(request);
    if (parsed.problems) return sendError(reply, request, new ValidationFailedError(parsed.problems), this.logger);
    const limited = this.readLimiter.take(principal, parsed.filter.tenant);
    if (limited) return this.readLimiter.refuse(request, reply, limited);
    if (this.drain.isDraining) return sendError(reply, request, new ServiceDrainingError(), this.logger);
    const accepting = this.streams.accepting;
    if (accepting !== 'yes') {
      // 503 with Retry-After, as every transient refusal (the error contract sets it).
      return sendError(
        reply,
        request,
        new ServiceOverloadedError(accepting === 'full' ? 'watch stream' : 'watch stream (change channel down)'),
        this.logger,
      );
    }

    const body = new PassThrough();
    const sink: StreamSink = {
      write: (frame) => void (body.destroyed || body.write(frame)),
      get buffered() {
        return body.writableLength;
      },
      drained: () => (body.destroyed || body.writableLength === 0 ? Promise.resolve() : drainedOrClosed(body)),
      end: () => void body.end(),
    };
    let prepared: PreparedStream | undefined;
    let gone = false;
    reply.raw.once('close', () => {
      gone = true;
      if (prepared) this.streams.close(prepared.stream);
      body.destroy();
    });
    try {
      // The replay (when resuming) is read before the answer starts, so a failure is a JSON error.
      prepared = await this.streams.open(principal, parsed.filter, sink, parsed.since);
    } catch (err) {
      return sendError(reply, request, err, this.logger);
    }
    // The client left while the replay was read.
    if (gone) return this.streams.close(prepared.stream);
    void reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no');
    void this.streams.start(prepared);
    return reply.send(body);
  }
}

function drainedOrClosed(body: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      body.off('drain', done);
      body.off('close', done);
      resolve();
    };
    body.once('drain', done);
    body.once('close', done);
  });
}

interface WatchRequest {
  filter: StreamFilter;
  since?: Date;
  problems?: ErrorDetail[];
}

// tenant, service and env are optional filters with the route-name rules; anything else in the
// query is refused. Last-Event-ID (sent by EventSource when it reconnects) resumes the stream.
export function parseWatchRequest(request: Pick<FastifyRequest, 'query' | 'headers'>): WatchRequest {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const problems = unknownFields(query, FILTERS);
  const filter: StreamFilter = {};
  for (const field of FILTERS) {
    if (!Object.prototype.hasOwnProperty.call(query, field)) continue;
    const problem = routeNameProblem(query[field]);
    if (problem) problems.push({ field, problem });
    else filter[field] = (query[field] as string).trim();
  }
  const lastEventId = request.headers['last-event-id'];
  let since: Date | undefined;
  if (lastEventId !== undefined) {
    if (typeof lastEventId === 'string' && EVENT_ID.test(lastEventId.trim())) since = new Date(Number(lastEventId.trim()));
    else problems.push({ field: 'Last-Event-ID', problem: 'must be the id of an event of this stream (a whole number of milliseconds)' });
  }
  return problems.length ? { filter, problems } : { filter, since };
}
