import { createParser, EventSourceMessage } from 'eventsource-parser';

// A scope to watch: one tenant, optionally narrowed to a service and an environment.
export interface WatchScope {
  tenant: string;
  service?: string;
  env?: string;
}

// A route as the watch stream sends it (GET /api/v1/routes/watch, event `route`).
export interface WatchedRoute {
  tenant: string;
  service: string;
  env: string;
  version: string;
  url: string;
  is_active: boolean;
  revision: number;
}

export type WatchState = 'connecting' | 'replaying' | 'in_sync' | 'disconnected' | 'refused' | 'closed';

export interface WatchDeps {
  baseUrl: string;
  headers: () => Record<string, string>;
  fetch: typeof fetch;
  onRoute: (route: WatchedRoute, subscription: WatchSubscription) => void;
  onState: (subscription: WatchSubscription, state: WatchState, detail?: string) => void;
  // No data (events or the server's 15 s heartbeat) for this long: the connection is dead.
  idleTimeoutMs: number;
  maxBackoffMs: number;
  random?: () => number;
}

// The server's heartbeat is every 15 s; three missed ones mean the connection is gone.
export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;

// One watch stream, kept open: it reconnects with Last-Event-ID after any drop (a drained instance,
// a network failure, a silent connection), with jittered exponential backoff starting at the
// server's `retry`. The first connection asks for Last-Event-ID 0, so the server replays the scope's
// routes (up to 10,000) and the client can answer them from memory from the start.
//
// `epoch` is how the client knows whether entries it holds for the scope are still current: while
// the stream is in sync, an entry confirmed in the current epoch has had every later change pushed to
// it. A resume (Last-Event-ID) keeps the epoch, because the server replays what changed meanwhile;
// a `reset` or a fresh start without replay begins a new one, and older entries are revalidated.
export class WatchSubscription {
  state: WatchState = 'connecting';
  epoch = 0;
  lastEventId: string | undefined = '0';
  private serverRetryMs = 2_000;
  private leftSyncAt = 0;
  private failures = 0;
  private abort?: AbortController;
  private closed = false;
  private wake?: () => void;
  private readonly random: () => number;

  constructor(
    readonly scope: WatchScope,
    private readonly deps: WatchDeps,
  ) {
    this.random = deps.random ?? Math.random;
  }

  get inSync(): boolean {
    return this.state === 'in_sync';
  }

  // Until when what the stream delivered is known to be current: now while in sync, else the moment
  // it stopped being in sync (0 if it never was).
  currentAt(): number {
    return this.inSync ? Date.now() : this.leftSyncAt;
  }

  covers(tenant: string, service: string, env: string): boolean {
    const { scope } = this;
    return scope.tenant === tenant && (scope.service === undefined || scope.service === service) && (scope.env === undefined || scope.env === env);
  }

  start(): Promise<void> {
    return this.run();
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    this.wake?.();
    this.setState('closed');
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let detail: string | undefined;
      try {
        await this.connectOnce();
      } catch (err) {
        if (this.closed) break;
        if (err instanceof WatchRefusedError && !err.retryable) {
          this.setState('refused', err.message);
          return;
        }
        detail = err instanceof Error ? err.message : String(err);
      }
      if (this.closed) break;
      this.setState('disconnected', detail);
      await this.sleep(this.backoffMs());
    }
  }

  private async connectOnce(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    this.setState('connecting');
    const headers: Record<string, string> = { ...this.deps.headers(), accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    const query = new URLSearchParams(Object.entries(this.scope).filter((entry): entry is [string, string] => entry[1] !== undefined));
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error(`no data for ${this.deps.idleTimeoutMs} ms`)), this.deps.idleTimeoutMs);
      idle.unref?.();
    };
    touch();
    try {
      const response = await this.deps.fetch(`${this.deps.baseUrl}/api/v1/routes/watch?${query}`, { headers, signal: abort.signal });
      if (response.status !== 200) throw await WatchRefusedError.from(response);
      if (!response.body) throw new Error('the watch response has no body');
      this.setState('replaying');
      const parser = createParser({ onEvent: (message) => this.onMessage(message), onRetry: (ms) => (this.serverRetryMs = ms) });
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } finally {
      clearTimeout(idle);
    }
  }

  private onMessage(message: EventSourceMessage): void {
    if (message.event === 'route') {
      this.deps.onRoute(JSON.parse(message.data) as WatchedRoute, this);
    } else if (message.event === 'ready') {
      const { resumed } = JSON.parse(message.data) as { resumed: boolean };
      // Without a replay, changes made before this connection may not have reached what is held.
      if (!resumed) this.epoch += 1;
      this.failures = 0;
      this.setState('in_sync');
    } else if (message.event === 'reset') {
      // Too much to replay: start a new epoch (held entries are revalidated) and connect afresh.
      this.epoch += 1;
      this.lastEventId = undefined;
      this.failures = 0;
      this.setState('disconnected', 'reset by the server');
      return;
    }
    if (message.id !== undefined) this.lastEventId = message.id;
  }

  private backoffMs(): number {
    this.failures += 1;
    const ceiling = Math.min(this.deps.maxBackoffMs, this.serverRetryMs * 2 ** (this.failures - 1));
    // "Equal jitter": at least half the step, so a fleet does not reconnect in one wave.
    return ceiling / 2 + (this.random() * ceiling) / 2;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private setState(state: WatchState, detail?: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'in_sync' && state !== 'in_sync') this.leftSyncAt = Date.now();
    this.state = state;
    this.deps.onState(this, state, detail);
  }
}

// The server refused the stream. 400 (a bad scope), 401 and 403 are the caller's to fix and are not
// retried; 503 (draining, full, channel down) and the rest are.
export class WatchRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'WatchRefusedError';
  }

  static async from(response: Response): Promise<WatchRefusedError> {
    let described = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as { error?: string; message?: string };
      if (body.error) described = `HTTP ${response.status} ${body.error}: ${body.message ?? ''}`;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const retryable = ![400, 401, 403, 404].includes(response.status);
    return new WatchRefusedError(`the watch stream was refused: ${described}`, response.status, retryable);
  }
}
