import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { routesConfig } from '../../config/routes.config';
import { RouteHistoryRepository } from '../route-store';

// First pass soon after start (so a lowered ROUTE_HISTORY_LIMIT takes effect without waiting), then
// every ten minutes; both with jitter, so instances started together do not prune in lockstep.
const FIRST_AFTER_MS = 30_000;
const EVERY_MS = 10 * 60_000;
// Rows per DELETE: each statement is short, so it never holds many row locks or a long transaction.
const BATCH = 5_000;

// Keeps each route's history to its last ROUTE_HISTORY_LIMIT revisions (the current one always
// stays). Runs on every API instance: the DELETE is idempotent, so two instances pruning at once
// only repeat each other's work, and no leader is needed. A failure (PostgreSQL down) is logged and
// retried at the next pass; the history only grows a little meanwhile.
@Injectable()
export class RouteHistoryPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RouteHistoryPruner.name);
  private timer?: NodeJS.Timeout;
  private pass?: Promise<number>;
  private stopped = false;

  constructor(
    private readonly repository: RouteHistoryRepository,
    @Inject(routesConfig.KEY) private readonly config: ConfigType<typeof routesConfig>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(FIRST_AFTER_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
  }

  // One pass: batches until nothing is left to delete. Returns the rows deleted.
  async prune(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.repository.pruneHistory(this.config.historyLimit, BATCH);
      total += deleted;
      if (deleted < BATCH || this.stopped) break;
    }
    if (total > 0) this.logger.log(`Removed ${total} route revisions beyond the last ${this.config.historyLimit} of their route`);
    return total;
  }

  private schedule(base: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), base * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.pass = this.prune();
    try {
      await this.pass;
    } catch (err) {
      this.logger.warn(`Route history pruning failed, will retry in about ${EVERY_MS / 60_000} minutes: ${(err as Error).message}`);
    } finally {
      this.pass = undefined;
      this.schedule(EVERY_MS);
    }
  }
}
