import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { REDIS_CLIENT } from './redis.constants';

export const INVALIDATION_CHANNEL = 'tm:v1:invalidate';

export interface InvalidationListener {
  // A message "<kind>|<payload>" of this listener's kind arrived.
  onInvalidation(payload: string): void;
  // The bus may have missed messages (it was disconnected): forget everything held in memory.
  onReset(): void;
}

// Cross-instance invalidation of in-process caches over Redis pub/sub: whoever changes something
// publishes "<kind>|<payload>" on one channel (routes: "r|<revision>|<tenant:service:env:version>";
// a later API-key revocation can use its own kind). Pub/sub delivers only to connected subscribers,
// so while this instance's subscription is down `live` is false, and on every (re)subscription the
// listeners reset: an in-process cache is only used while it cannot have missed an invalidation.
@Injectable()
export class InvalidationBus implements OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly throttled = new ThrottledLog(this.logger);
  private readonly listeners = new Map<string, InvalidationListener[]>();
  private subscriber?: Redis;
  // Since when this instance has not been subscribed (the start, before the first subscription);
  // null while it is.
  private downSinceMs: number | null = Date.now();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  get live(): boolean {
    return this.downSinceMs === null;
  }

  // For readiness: when the subscription was lost (or, never made yet, when the process started).
  get downSince(): Date | null {
    return this.downSinceMs === null ? null : new Date(this.downSinceMs);
  }

  // Several listeners may take one kind (the in-process tier and the watch streams both take routes).
  listen(kind: string, listener: InvalidationListener): void {
    this.listeners.set(kind, [...(this.listeners.get(kind) ?? []), listener]);
    if (!this.subscriber) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.downSinceMs ??= Date.now();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private start(): void {
    const subscriber = this.redis.duplicate({ connectionName: 'traffic-manager-invalidation', enableOfflineQueue: true, commandTimeout: undefined });
    this.subscriber = subscriber;
    subscriber.on('ready', () => void this.subscribe(subscriber));
    subscriber.on('close', () => this.down('connection closed'));
    subscriber.on('error', (err: Error) => this.down(err.message));
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === INVALIDATION_CHANNEL) this.deliverLocally(message);
    });
  }

  // Hands "<kind>|<payload>" to this instance's listener at once. The writer calls it before it
  // publishes: its own copy of the message arrives over the subscriber connection a moment later, and
  // a client that reads right after its write may be served by this instance before that.
  deliverLocally(message: string): void {
    const sep = message.indexOf('|');
    const listeners = this.listeners.get(message.slice(0, sep));
    if (!listeners) return;
    const payload = message.slice(sep + 1);
    for (const listener of listeners) listener.onInvalidation(payload);
  }

  private async subscribe(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(INVALIDATION_CHANNEL);
      this.resetAll();
      this.downSinceMs = null;
      this.throttled.clear('down');
    } catch (err) {
      this.down((err as Error).message);
    }
  }

  private down(reason: string): void {
    if (this.downSinceMs !== null) return;
    this.downSinceMs = Date.now();
    this.resetAll();
    this.throttled.warn('down', `Invalidation channel lost (${reason}); in-process caches are bypassed until it is back`);
  }

  private resetAll(): void {
    for (const listeners of this.listeners.values()) for (const listener of listeners) listener.onReset();
  }
}
