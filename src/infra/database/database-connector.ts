import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ThrottledLog } from '../../common/logging/throttled-log';

const INITIAL_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
// Wrong password, unknown role or database: waiting cannot fix these (SQLSTATE classes 28 and 3D).
const CONFIGURATION_ERRORS = /^(28P01|28000|3D000)$/;

// The process starts while PostgreSQL is down or still starting: boot waits for one attempt, then
// the connection is retried in the background (readiness says 503 and queries fail fast with
// DEPENDENCY.UNAVAILABLE until it succeeds). Only a configuration error stops the process.
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private readonly throttled = new ThrottledLog(this.logger);
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.attempt(INITIAL_BACKOFF_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async attempt(nextDelay: number): Promise<void> {
    if (this.stopped || this.dataSource.isInitialized) return;
    try {
      await this.dataSource.initialize();
      this.logger.log('PostgreSQL connection ready');
    } catch (err) {
      const { code, message } = err as { code?: string; message: string };
      if (CONFIGURATION_ERRORS.test(code ?? '')) {
        this.logger.error(`PostgreSQL refused this configuration (${code}: ${message}); check DB_* settings. Stopping.`);
        process.exit(1);
      }
      this.throttled.warn('connect', `PostgreSQL is not reachable yet, retrying in the background: ${message}`);
      this.timer = setTimeout(() => void this.attempt(Math.min(nextDelay * 2, MAX_BACKOFF_MS)), nextDelay);
    }
  }
}
