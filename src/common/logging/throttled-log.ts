import { Logger } from '@nestjs/common';

export const DEFAULT_LOG_INTERVAL_MS = 10_000;

// A condition that persists (a store down, a broker still loading) is worth one line every few
// seconds, not one per retry: each key is logged at most once per interval.
export class ThrottledLog {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = DEFAULT_LOG_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, message: unknown): boolean {
    if (!this.due(key)) return false;
    this.logger.warn(message);
    return true;
  }

  // For callers that choose the level or shape of the line themselves: true (and counted as logged)
  // when `key` was not logged within the interval.
  due(key: string): boolean {
    const now = this.now();
    if (now - (this.last.get(key) ?? -Infinity) < this.intervalMs) return false;
    this.last.set(key, now);
    return true;
  }

  // The condition is over: the next occurrence is logged at once.
  clear(key: string): void {
    this.last.delete(key);
  }
}
