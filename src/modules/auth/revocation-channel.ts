import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { INVALIDATION_CHANNEL, InvalidationBus } from '../../infra/redis/invalidation-bus';
import { REDIS_CLIENT } from '../../infra/redis/redis.constants';
import { DependencyBreakers } from '../resilience';

// Messages "k|<key id>" on the invalidation bus: the key was revoked, drop it.
export const KEY_INVALIDATION_KIND = 'k';

const RETRY_INTERVAL_MS = 1000;
const MAX_ATTEMPTS = 10;

// Tells every API instance that a key was revoked. This instance drops the key at once; the others
// on receipt. A publish that fails is retried in the background for ~10 s: an instance that is
// subscribed would otherwise keep the key until its cache TTL, while one that lost the channel
// re-reads its keys every few seconds anyway (Authenticator).
@Injectable()
export class RevocationChannel implements OnApplicationShutdown {
  private readonly logger = new Logger(RevocationChannel.name);
  private readonly throttled = new ThrottledLog(this.logger);
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly bus: InvalidationBus,
    private readonly breakers: DependencyBreakers,
  ) {}

  async announce(keyId: string): Promise<void> {
    const message = `${KEY_INVALIDATION_KIND}|${keyId}`;
    this.bus.deliverLocally(message);
    await this.publish(message, 1);
  }

  onApplicationShutdown(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  private async publish(message: string, attempt: number): Promise<void> {
    try {
      await this.breakers.redis.execute(() => this.redis.publish(INVALIDATION_CHANNEL, message));
    } catch (err) {
      this.throttled.warn('publish', `Could not announce a key revocation (${(err as Error).message}); retrying for ${MAX_ATTEMPTS - attempt} s`);
      if (attempt >= MAX_ATTEMPTS) return;
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.publish(message, attempt + 1);
      }, RETRY_INTERVAL_MS);
      timer.unref();
      this.retries.add(timer);
    }
  }
}
