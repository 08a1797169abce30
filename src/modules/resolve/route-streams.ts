import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { LRUCache } from 'lru-cache';
import { Gauge } from 'prom-client';
import { resolveConfig } from '../../config/resolve.config';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { METRIC } from '../../common/metrics/metric-names';
import { TenantScope } from '../../contracts/principal';
import { RouteKey, routeKeyString } from '../../contracts/route-key';
import { InvalidationBus, InvalidationListener } from '../../infra/redis/invalidation-bus';
import { DrainState } from '../resilience';
import { RouteRecord, RoutesRepository } from '../route-store';

// What a stream asks for: every route of the caller's scope, narrowed by tenant, service and env.
export interface StreamFilter {
  tenant?: string;
  service?: string;
  env?: string;
}

// Where a stream's frames go (the HTTP response body).
export interface StreamSink {
  write(frame: string): void;
  // Bytes written and not yet taken by the client.
  readonly buffered: number;
  // Resolves when the client has taken what was buffered, or has gone away.
  drained(): Promise<void>;
  end(): void;
}

// A live change finds a client further behind than this: the stream ends, and the client resumes
// with Last-Event-ID (an SSE client reconnects by itself).
export const MAX_BUFFERED = 1024 * 1024;
// The replay waits for the client whenever this much is buffered.
const REPLAY_BUFFER = 64 * 1024;

export interface Stream {
  readonly filter: StreamFilter;
}

// An opened stream and what start() sends first: the routes to replay, or `reset` (too many).
export interface PreparedStream {
  stream: Stream;
  replay: RouteRecord[] | 'reset';
  resumed: boolean;
}

interface OpenStream extends Stream {
  scope: TenantScope;
  sink: StreamSink;
  // Live changes that arrive while the stream is still sending its replay wait here.
  queue: RouteRecord[] | null;
  // Nothing in the caller's scope can match (a tenant filter naming another tenant): nothing is sent.
  matchesNothing: boolean;
}

// Resume replays every route changed since this long before the Last-Event-ID. It covers a change
// whose commit became visible after a later change's (writes are bounded by DB_STATEMENT_TIMEOUT_MS)
// and announcements up to this late (docs/design.md, "Watch streams").
export const RESUME_OVERLAP_MS = 60_000;
// More routes than this to replay: the stream says `reset` and the client lists again.
export const REPLAY_LIMIT = 10_000;
const HEARTBEAT_MS = 15_000;
// Announcements are read from PostgreSQL in batches, at most this often per instance.
const FLUSH_MS = 25;
const RETRY_MS = 1_000;

// Server-sent event frames (text/event-stream). Ids are the change's time in milliseconds.
export function routeEvent(route: RouteRecord): string {
  const data = JSON.stringify({
    tenant: route.tenant,
    service: route.service,
    env: route.env,
    version: route.version,
    url: route.url,
    is_active: route.isActive,
    revision: route.revision,
    updated_at: route.updatedAt.toISOString(),
  });
  return `id: ${route.updatedAt.getTime()}\nevent: route\ndata: ${data}\n\n`;
}

// Watch streams (GET /api/v1/routes/watch): every open stream on this instance and the feed that
// fills them. The feed is the invalidation channel every instance already receives (a route and its
// new revision, announced by the writer at commit and again by the cache_invalidation group): the
// announced routes that some stream wants are read from PostgreSQL in one query per batch, and each
// state is sent once per revision (an LRU of the last revision sent per route drops the repeated
// announcement), to every stream it matches. Written here rather than taken from a library: it is a
// set of responses and a filter, fed by this service's own channel.
@Injectable()
export class RouteStreams implements OnModuleInit, BeforeApplicationShutdown, InvalidationListener {
  private readonly logger = new Logger('Watch');
  private readonly throttled = new ThrottledLog(this.logger);
  private readonly streams = new Set<OpenStream>();
  private pending = new Map<string, RouteKey>();
  private flushing?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private readonly sent = new LRUCache<string, number>({ max: 100_000 });

  constructor(
    private readonly bus: InvalidationBus,
    private readonly repository: RoutesRepository,
    private readonly drain: DrainState,
    @Inject(resolveConfig.KEY) private readonly config: ConfigType<typeof resolveConfig>,
    @InjectMetric(METRIC.routeWatchStreams) private readonly gauge: Gauge<string>,
  ) {}

  onModuleInit(): void {
    this.bus.listen('r', this);
    // Open streams end when draining begins; their clients resume on another instance.
    this.drain.onBegin(() => this.endAll());
  }

  // Before the HTTP server closes: it waits for open responses, and a stream never ends by itself.
  beforeApplicationShutdown(): void {
    clearTimeout(this.flushing);
    this.endAll();
  }

  // Whether a new stream could be fed now: announcements reach this instance and it is not full.
  get accepting(): 'yes' | 'channel_down' | 'full' {
    if (!this.bus.live) return 'channel_down';
    return this.streams.size >= this.config.maxWatchStreams ? 'full' : 'yes';
  }

  // Opens a stream: live changes are collected from now on, and with `since` the routes changed
  // since then (less the overlap) are read (a failure throws, before anything is sent). start() then
  // sends them, a `ready` event and the live changes collected meanwhile, each once.
  async open(scope: TenantScope, filter: StreamFilter, sink: StreamSink, since: Date | undefined): Promise<PreparedStream> {
    const matchesNothing = filter.tenant !== undefined && scope.tenant !== null && scope.tenant !== filter.tenant;
    const stream: OpenStream = { scope, filter, sink, queue: [], matchesNothing };
    this.streams.add(stream);
    this.gauge.set(this.streams.size);
    this.startHeartbeat();
    if (since === undefined || matchesNothing) return { stream, replay: [], resumed: since !== undefined };
    try {
      const replay = await this.repository.changedSince(scope, filter, new Date(since.getTime() - RESUME_OVERLAP_MS), REPLAY_LIMIT + 1);
      return { stream, replay: replay.length > REPLAY_LIMIT ? 'reset' : replay, resumed: true };
    } catch (err) {
      this.close(stream);
      throw err;
    }
  }

  async start({ stream, replay, resumed }: PreparedStream): Promise<void> {
    const open = stream as OpenStream;
    const { sink } = open;
    sink.write('retry: 2000\n\n');
    if (replay === 'reset') {
      sink.write(
        `event: reset\ndata: ${JSON.stringify({ reason: `more than ${REPLAY_LIMIT} routes changed since Last-Event-ID; list them again` })}\n\n`,
      );
      this.closeWith(open);
      return;
    }
    const replayed = new Map<string, number>();
    for (const route of replay) {
      replayed.set(routeKeyString(route), route.revision);
      sink.write(routeEvent(route));
      if (sink.buffered > REPLAY_BUFFER) await sink.drained();
      if (!this.streams.has(open)) return;
    }
    const queued = open.queue ?? [];
    open.queue = null;
    sink.write(`id: ${Date.now()}\nevent: ready\ndata: ${JSON.stringify({ resumed, replayed: replayed.size })}\n\n`);
    for (const route of queued) if (route.revision > (replayed.get(routeKeyString(route)) ?? 0)) this.send(open, routeEvent(route));
  }

  // The client went away (or the response ended).
  close(stream: Stream): void {
    const open = stream as OpenStream;
    if (!this.streams.delete(open)) return;
    this.gauge.set(this.streams.size);
    if (this.streams.size === 0) this.stopHeartbeat();
  }

  get size(): number {
    return this.streams.size;
  }

  // "<revision>|<tenant:service:env:version>"; cheap when no stream is open or none wants the route.
  onInvalidation(payload: string): void {
    if (this.streams.size === 0) return;
    const sep = payload.indexOf('|');
    const id = payload.slice(sep + 1);
    // The same change announced again (by the cache_invalidation group after the writer): already sent.
    const revision = Number(payload.slice(0, sep)) || 0;
    if (revision > 0 && revision <= (this.sent.get(id) ?? 0)) return;
    const [tenant, service, env, version] = id.split(':');
    const key = { tenant, service, env, version };
    for (const stream of this.streams) {
      if (matches(stream, key)) {
        this.pending.set(id, key);
        this.flushing ??= setTimeout(() => void this.flush(), FLUSH_MS);
        return;
      }
    }
  }

  // Announcements may have been missed: every stream ends, and its client resumes (the replay
  // reads PostgreSQL, which missed nothing).
  onReset(): void {
    this.endAll();
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    let routes: Map<string, RouteRecord>;
    try {
      routes = await this.repository.findMany([...batch.values()]);
    } catch (err) {
      // Keep them (newer announcements of the same routes replace them) and try again.
      for (const [id, key] of batch) if (!this.pending.has(id)) this.pending.set(id, key);
      this.throttled.warn('flush', `Could not read ${batch.size} changed routes for watch streams (${(err as Error).message}); retrying`);
      this.flushing = setTimeout(() => void this.flush(), RETRY_MS);
      return;
    }
    this.flushing = this.pending.size ? setTimeout(() => void this.flush(), FLUSH_MS) : undefined;
    // One write per stream per batch: a socket write per event and stream cost about 10 µs each
    // (100 streams doubled a write's CPU when every event was written on its own).
    const out = new Map<OpenStream, string[]>();
    // In the order of the changes (the event ids), whatever order PostgreSQL returned them in: a
    // client that resumes with the Last-Event-ID of the last event it got must have got every change
    // made before it, and the resume replays from that id on.
    const ordered = [...routes].sort(([, x], [, y]) => x.updatedAt.getTime() - y.updatedAt.getTime() || x.id - y.id);
    for (const [id, route] of ordered) {
      if ((this.sent.get(id) ?? 0) >= route.revision) continue;
      this.sent.set(id, route.revision);
      const frame = routeEvent(route);
      for (const stream of this.streams) {
        if (!matches(stream, route)) continue;
        if (stream.queue) stream.queue.push(route);
        else {
          const frames = out.get(stream);
          if (frames) frames.push(frame);
          else out.set(stream, [frame]);
        }
      }
    }
    for (const [stream, frames] of out) this.send(stream, frames.length === 1 ? frames[0] : frames.join(''));
  }

  private send(stream: OpenStream, frame: string): void {
    stream.sink.write(frame);
    if (stream.sink.buffered > MAX_BUFFERED) this.closeWith(stream);
  }

  private closeWith(stream: OpenStream): void {
    this.close(stream);
    stream.sink.end();
  }

  private endAll(): void {
    for (const stream of [...this.streams]) this.closeWith(stream);
  }

  private startHeartbeat(): void {
    // A comment line every 15 s keeps proxies and load balancers from closing an idle stream.
    this.heartbeat ??= setInterval(() => {
      for (const stream of [...this.streams]) if (!stream.queue) this.send(stream, ': ping\n\n');
    }, HEARTBEAT_MS).unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

function matches(stream: OpenStream, key: RouteKey): boolean {
  if (stream.matchesNothing) return false;
  const { filter, scope } = stream;
  if (scope.tenant !== null && key.tenant !== scope.tenant) return false;
  return (
    (filter.tenant === undefined || filter.tenant === key.tenant) &&
    (filter.service === undefined || filter.service === key.service) &&
    (filter.env === undefined || filter.env === key.env)
  );
}
