import { Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { LimitState, secondsUntilReset } from './limit-state';
import { ReadLimiter } from './read-limiter';
import { WriteCounter } from './write-counter';

// Not exported by @nestjs/throttler's index.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// The throttler's storage, per named throttler: "reads" count in this process (ReadLimiter),
// "writes" in Redis (WriteCounter). The key is the bucket (RateLimitGuard's generateKey).
@Injectable()
export class LimiterStorage implements ThrottlerStorage {
  constructor(
    private readonly reads: ReadLimiter,
    private readonly writes: WriteCounter,
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const state = throttlerName === 'writes' ? await this.writes.hit(key, limit, ttl) : this.reads.hit(key, limit);
    return toRecord(state);
  }
}

// Seconds, as the throttler's own storage reports them; nothing is blocked beyond its window.
export function toRecord(state: LimitState): ThrottlerStorageRecord {
  const isBlocked = state.hits > state.limit;
  const timeToExpire = secondsUntilReset(state);
  return { totalHits: state.hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
}
