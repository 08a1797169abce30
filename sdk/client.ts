import { circuitBreaker, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, handleWhen } from 'cockatiel';
import { RouteNotFoundError, TrafficManagerError, TrafficManagerUnavailableError } from './errors';
import { SnapshotFile } from './snapshot-file';
import { LossGuard, LossProtectionOptions } from './loss-guard';
import { parseRouteKeyString, RouteEntry, RouteKey, routeKeyString, RouteState, RouteTable } from './route-table';
import { DEFAULT_IDLE_TIMEOUT_MS, WatchedRoute, WatchScope, WatchState, WatchSubscription } from './watch-subscription';

export interface TrafficManagerClientOptions {
  // e.g. http://traffic-manager.internal:8000
  baseUrl: string;
  apiKey?: string;
  // How long an answer is used without asking the server, when no watch stream keeps it current.
  ttlMs?: number;
  // The same for "no active route" answers.
  notFoundTtlMs?: number;
  // How old a held answer may be and still be served while Traffic Manager cannot answer.
  staleIfErrorMs?: number;
  maxEntries?: number;
  requestTimeoutMs?: number;
  // Scopes to keep current through watch streams (server-sent events); routes in them are answered
  // from memory without polling. Scopes should not overlap: a route uses the first that covers it.
  watch?: WatchScope[];
  // The last-known-good file (read by start(), written at most every snapshotIntervalMs and by close()).
  snapshotFile?: string;
  snapshotIntervalMs?: number;
  // Consecutive failures (network, timeout, 5xx) that open the breaker, and how long it stays open.
  breakerFailures?: number;
  breakerOpenMs?: number;
  // How long start() waits for the watch streams to be in sync.
  startTimeoutMs?: number;
  onEvent?: (event: ClientEvent) => void;
  fetch?: typeof fetch;
  // Mass-loss protection (loss-guard.ts): off unless given.
  lossProtection?: LossProtectionOptions;
}

export type ClientEvent =
  | { type: 'stale_served'; route: string; ageMs: number; reason: string }
  | { type: 'watch'; scope: WatchScope; state: WatchState; detail?: string }
  | { type: 'snapshot_loaded'; routes: number }
  | { type: 'snapshot_error'; error: string }
  | { type: 'breaker'; state: 'open' | 'half_open' | 'closed' }
  | { type: 'loss_protection'; tenant: string; engaged: boolean; lost: number };

export interface ResolvedRoute extends RouteKey {
  url: string;
  revision: number;
  // memory: held and current; server: just asked; stale: held, served because the server could not
  // answer; preserved: the route is gone, but so is most of its tenant, so its last URL is kept
  // (lossProtection).
  origin: 'memory' | 'server' | 'stale' | 'preserved';
  // Since the server or a watch stream last confirmed it.
  ageMs: number;
}

export interface ResolveOptions {
  // Read-your-writes: the revision a write returned; an older answer is never returned for it.
  minRevision?: number;
  correlationId?: string;
}

export interface StartReport {
  snapshotRoutes: number;
  watches: Array<{ scope: WatchScope; state: WatchState }>;
}

const DEFAULTS = {
  ttlMs: 30_000,
  notFoundTtlMs: 5_000,
  staleIfErrorMs: 24 * 3_600_000,
  maxEntries: 10_000,
  requestTimeoutMs: 2_000,
  snapshotIntervalMs: 5_000,
  breakerFailures: 5,
  breakerOpenMs: 5_000,
  startTimeoutMs: 5_000,
};

const SNAPSHOT_REFRESH_MS = 5 * 60_000;

const BREAKER_STATES: Record<CircuitState, 'open' | 'half_open' | 'closed'> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

// A Traffic Manager client for TypeScript services: resolve answered from process memory, kept
// current by watch streams or by revalidation with If-None-Match, served stale (fail-static) when
// Traffic Manager cannot answer, and a last-known-good file for starting while it is down.
// docs/sdk.md describes the rules.
export class TrafficManagerClient {
  readonly stats = { memoryHits: 0, serverCalls: 0, staleServed: 0, pushesApplied: 0, preservedServed: 0 };
  private readonly guard?: LossGuard;
  private readonly options: typeof DEFAULTS & TrafficManagerClientOptions;
  private readonly table: RouteTable;
  private readonly watches: WatchSubscription[];
  private readonly inflight = new Map<string, Promise<ResolvedRoute>>();
  private readonly breaker: CircuitBreakerPolicy;
  private readonly fetch: typeof fetch;
  private readonly snapshot?: SnapshotFile;
  private snapshotTimer?: NodeJS.Timeout;
  private snapshotRefresh?: NodeJS.Timeout;
  private syncWaiters: Array<() => void> = [];

  constructor(options: TrafficManagerClientOptions) {
    this.options = { ...DEFAULTS, ...definedOnly(options), baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.fetch = options.fetch ?? fetch;
    this.table = new RouteTable(this.options.maxEntries);
    if (options.lossProtection) {
      this.guard = new LossGuard(
        options.lossProtection,
        (tenant) => this.table.foundIn(tenant),
        (tenant, engaged, lost) => this.emit({ type: 'loss_protection', tenant, engaged, lost }),
      );
    }
    this.breaker = circuitBreaker(
      handleWhen((err) => err instanceof TrafficManagerUnavailableError),
      { halfOpenAfter: this.options.breakerOpenMs, breaker: new ConsecutiveBreaker(this.options.breakerFailures) },
    );
    this.breaker.onStateChange((state) => this.emit({ type: 'breaker', state: BREAKER_STATES[state] }));
    if (options.snapshotFile) this.snapshot = new SnapshotFile(options.snapshotFile);
    this.watches = (options.watch ?? []).map(
      (scope) =>
        new WatchSubscription(scope, {
          baseUrl: this.options.baseUrl,
          headers: () => this.headers(),
          fetch: this.fetch,
          onRoute: (route, subscription) => this.onPushed(route, subscription),
          onState: (subscription, state, detail) => this.onWatchState(subscription, state, detail),
          idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
          maxBackoffMs: 30_000,
        }),
    );
  }

  // Loads the last-known-good file and opens the watch streams; waits (at most startTimeoutMs) for
  // the streams to be in sync. Never fails because Traffic Manager is down: the process can route
  // from the snapshot until it is back.
  async start(): Promise<StartReport> {
    let snapshotRoutes = 0;
    if (this.snapshot) {
      try {
        const routes = await this.snapshot.read();
        snapshotRoutes = routes ? this.table.loadSnapshot(routes) : 0;
        this.emit({ type: 'snapshot_loaded', routes: snapshotRoutes });
      } catch (err) {
        this.emit({ type: 'snapshot_error', error: err instanceof Error ? err.message : String(err) });
      }
    }
    for (const watch of this.watches) void watch.start();
    if (this.snapshot) {
      // Rewritten now and then even without changes, so the routes' confirmed_at stays recent and the
      // file stays usable for staleIfErrorMs after this process stops.
      this.snapshotRefresh = setInterval(() => void this.saveSnapshot(), SNAPSHOT_REFRESH_MS);
      this.snapshotRefresh.unref?.();
    }
    await this.allSettled();
    return { snapshotRoutes, watches: this.watches.map(({ scope, state }) => ({ scope, state })) };
  }

  async close(): Promise<void> {
    for (const watch of this.watches) watch.close();
    clearTimeout(this.snapshotTimer);
    clearInterval(this.snapshotRefresh);
    this.snapshotTimer = undefined;
    await this.saveSnapshot();
  }

  async resolve(key: RouteKey, options: ResolveOptions = {}): Promise<ResolvedRoute> {
    const id = routeKeyString(key);
    const held = this.table.get(id);
    const minRevision = options.minRevision ?? 0;
    const preserved = this.preserved(key, id, held, minRevision);
    if (preserved) return preserved;
    if (held !== undefined && !held.fromSnapshot && held.revision >= minRevision && this.isCurrent(key, held)) {
      this.stats.memoryHits += 1;
      return answer(key, held, 'memory', this.knownCurrentAt(key, held));
    }
    const flight = `${id}|${minRevision}`;
    let pending = this.inflight.get(flight);
    if (pending === undefined) {
      pending = this.ask(key, id, options).finally(() => this.inflight.delete(flight));
      this.inflight.set(flight, pending);
    }
    return pending;
  }

  get entries(): number {
    return this.table.size;
  }

  watchStates(): Array<{ scope: WatchScope; state: WatchState; lastEventId?: string }> {
    return this.watches.map(({ scope, state, lastEventId }) => ({ scope, state, lastEventId }));
  }

  private async ask(key: RouteKey, id: string, options: ResolveOptions): Promise<ResolvedRoute> {
    const held = this.table.get(id);
    const epoch = this.watchFor(key)?.epoch ?? -1;
    const headers = this.headers(options.correlationId);
    if (held?.found && !held.fromSnapshot) headers['if-none-match'] = `W/"${held.revision}"`;
    if (options.minRevision) headers['x-min-revision'] = String(options.minRevision);
    const query = new URLSearchParams({ tenant: key.tenant, service: key.service, env: key.env, version: key.version });
    let response: Response;
    try {
      response = await this.breaker.execute(() => this.call(`/api/v1/routes/resolve?${query}`, headers));
    } catch (err) {
      return this.staleOrThrow(key, id, options, err);
    }
    this.stats.serverCalls += 1;
    const now = Date.now();
    if (response.status === 200) {
      const body = (await response.json()) as { url: string; revision: number };
      if (this.applyState(id, key.tenant, { found: true, url: body.url, revision: body.revision }, epoch, now)) this.snapshotChanged();
    } else if (response.status === 304) {
      this.table.confirm(id, epoch, now);
    } else {
      const body = await errorBody(response);
      if (response.status === 404 && body.error === 'ROUTE.NOT_FOUND') {
        const floor = held && !held.fromSnapshot ? held.revision : 0;
        if (this.applyState(id, key.tenant, { found: false, revision: floor, afterRevision: true }, epoch, now)) this.snapshotChanged();
        const preserved = this.preserved(key, id, this.table.get(id), options.minRevision ?? 0);
        if (preserved) return preserved;
      } else if (response.status === 429) {
        return this.staleOrThrow(key, id, options, new TrafficManagerUnavailableError(body.message, 429, body.error));
      } else {
        throw new TrafficManagerError(body.message, body.error, response.status, body.details);
      }
    }
    // What the table holds now: the answer, or a later revision a watch stream delivered meanwhile.
    const current = this.table.get(id);
    if (current === undefined) throw new TrafficManagerUnavailableError(`the answer for ${id} was evicted at once (maxEntries too small?)`);
    return answer(key, current, 'server', this.knownCurrentAt(key, current));
  }

  // Network failures, timeouts and 5xx are the breaker's to count; every other status is an answer.
  private async call(path: string, headers: Record<string, string>): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.options.baseUrl}${path}`, { headers, signal: AbortSignal.timeout(this.options.requestTimeoutMs) });
    } catch (err) {
      throw new TrafficManagerUnavailableError(`Traffic Manager did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (response.status >= 500) {
      const body = await errorBody(response);
      throw new TrafficManagerUnavailableError(`Traffic Manager answered ${response.status}: ${body.message}`, response.status, body.error);
    }
    return response;
  }

  // Fail-static: a held answer within staleIfErrorMs is served when the server cannot answer,
  // unless the caller asked for a revision newer than it.
  private staleOrThrow(key: RouteKey, id: string, options: ResolveOptions, cause: unknown): ResolvedRoute {
    const held = this.table.get(id);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const ageMs = held ? Date.now() - this.knownCurrentAt(key, held) : Infinity;
    if (held === undefined || ageMs > this.options.staleIfErrorMs || held.revision < (options.minRevision ?? 0)) {
      if (cause instanceof TrafficManagerUnavailableError) throw cause;
      throw new TrafficManagerUnavailableError(`Traffic Manager cannot answer (${reason}) and no usable answer is held for ${id}`);
    }
    this.stats.staleServed += 1;
    this.emit({ type: 'stale_served', route: id, ageMs, reason });
    return answer(key, held, 'stale', this.knownCurrentAt(key, held));
  }

  private isCurrent(key: RouteKey, held: RouteEntry): boolean {
    const watch = this.watchFor(key);
    if (watch !== undefined && watch.inSync && held.epoch === watch.epoch) return true;
    return Date.now() - held.confirmedAt < (held.found ? this.options.ttlMs : this.options.notFoundTtlMs);
  }

  // The last time the entry was known to be current: when the server or a stream confirmed it, or,
  // for a route a watch stream keeps current, until that stream stopped being in sync. A route that
  // has not changed for days but was pushed to an in-sync stream a minute ago is a minute old.
  private knownCurrentAt(key: RouteKey, held: RouteEntry): number {
    const watch = held.fromSnapshot ? undefined : this.watchFor(key);
    return watch !== undefined && held.epoch === watch.epoch ? Math.max(held.confirmedAt, watch.currentAt()) : held.confirmedAt;
  }

  private watchFor(key: RouteKey): WatchSubscription | undefined {
    return this.watches.find((watch) => watch.covers(key.tenant, key.service, key.env));
  }

  private onPushed(route: WatchedRoute, subscription: WatchSubscription): void {
    const id = routeKeyString(route);
    const state = route.is_active
      ? { found: true as const, url: route.url, revision: route.revision }
      : { found: false as const, revision: route.revision, afterRevision: false };
    if (this.applyState(id, route.tenant, state, subscription.epoch, Date.now())) {
      this.stats.pushesApplied += 1;
      this.snapshotChanged();
    }
  }

  // Stores a state in the table and tells the loss guard when a found route went away or came back.
  private applyState(id: string, tenant: string, state: RouteState, epoch: number, now: number): boolean {
    const wasFound = this.table.get(id)?.found === true;
    const applied = this.table.apply(id, state, epoch, now);
    if (applied && this.guard) {
      if (wasFound && !state.found) this.guard.lost(tenant, id);
      else if (state.found) this.guard.found(tenant, id);
    }
    return applied;
  }

  // The last URL of a route that is gone while most of its tenant is gone too (lossProtection),
  // unless the caller needs a revision newer than that URL's.
  private preserved(key: RouteKey, id: string, held: RouteEntry | undefined, minRevision: number): ResolvedRoute | undefined {
    if (!this.guard || !held || held.found || !held.lastFound || held.lastFound.revision < minRevision) return undefined;
    if (!this.guard.preserves(key.tenant, id)) return undefined;
    this.stats.preservedServed += 1;
    const { tenant, service, env, version } = key;
    return {
      tenant,
      service,
      env,
      version,
      url: held.lastFound.url,
      revision: held.lastFound.revision,
      origin: 'preserved',
      ageMs: Math.max(0, Date.now() - held.confirmedAt),
    };
  }

  // Mass-loss protection: take the routes lost so far (of one tenant, or all) as intended.
  acceptLosses(tenant?: string): void {
    this.guard?.accept(tenant);
  }

  private onWatchState(subscription: WatchSubscription, state: WatchState, detail?: string): void {
    this.emit({ type: 'watch', scope: subscription.scope, state, ...(detail ? { detail } : {}) });
    if (this.watches.every((watch) => ['in_sync', 'refused', 'closed'].includes(watch.state))) {
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
  }

  private allSettled(): Promise<void> {
    if (this.watches.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.options.startTimeoutMs);
      timer.unref?.();
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private snapshotChanged(): void {
    if (!this.snapshot || this.snapshotTimer) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      void this.saveSnapshot();
    }, this.options.snapshotIntervalMs);
    this.snapshotTimer.unref?.();
  }

  private async saveSnapshot(): Promise<void> {
    if (!this.snapshot) return;
    const routes = this.table
      .foundEntries()
      .map(([key, entry]) => ({ key, url: entry.url, revision: entry.revision, confirmedAt: this.knownCurrentAt(parseRouteKeyString(key), entry) }));
    try {
      await this.snapshot.write(routes);
    } catch (err) {
      this.emit({ type: 'snapshot_error', error: err instanceof Error ? err.message : String(err) });
    }
  }

  private headers(correlationId?: string): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': 'traffic-manager-sdk/0.1' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (correlationId) headers['x-correlation-id'] = correlationId;
    return headers;
  }

  private emit(event: ClientEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A failing listener must not break resolve.
    }
  }
}

function answer(key: RouteKey, entry: RouteEntry, origin: ResolvedRoute['origin'], currentAt: number): ResolvedRoute {
  if (!entry.found) throw new RouteNotFoundError(key, origin);
  const { tenant, service, env, version } = key;
  return { tenant, service, env, version, url: entry.url, revision: entry.revision, origin, ageMs: Math.max(0, Date.now() - currentAt) };
}

async function errorBody(response: Response): Promise<{ error: string; message: string; details?: unknown }> {
  try {
    const body = (await response.json()) as { error?: string; message?: string; details?: unknown };
    return { error: body.error ?? `HTTP.${response.status}`, message: body.message ?? `HTTP ${response.status}`, details: body.details };
  } catch {
    return { error: `HTTP.${response.status}`, message: `HTTP ${response.status} (not JSON)` };
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
