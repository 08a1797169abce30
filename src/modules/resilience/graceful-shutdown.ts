import { INestApplication, Injectable, Logger } from '@nestjs/common';
import { DrainState } from './drain-state';

// SIGTERM / SIGINT: readiness turns 503 at once; after DRAIN_DELAY (time for load balancers to stop
// sending) new work gets 503 SERVICE.DRAINING; accepted work finishes; then the application closes
// (the outbox relay stops after its batch, the Kafka producer disconnects after its in-flight sends,
// consumers stop after their current message and commit) and the process exits 0, all within
// DRAIN_TIMEOUT, or exits 1 when that runs out. A second signal exits at once. Used instead of Nest's
// enableShutdownHooks(), which closes the application the moment the signal arrives.
@Injectable()
export class GracefulShutdown {
  private readonly logger = new Logger(GracefulShutdown.name);
  private started = false;

  constructor(private readonly drain: DrainState) {}

  install(app: INestApplication, options: { waitForLoadBalancers: boolean }): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.started) {
        this.logger.warn(`${signal} again: exiting now`);
        process.exit(1);
      }
      void this.shutdown(app, signal, options.waitForLoadBalancers);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  private async shutdown(app: INestApplication, signal: NodeJS.Signals, waitForLoadBalancers: boolean): Promise<void> {
    this.started = true;
    const deadline = Date.now() + this.drain.timeoutMs;
    const hardStop = setTimeout(() => {
      this.logger.error(`Drain did not finish within ${this.drain.timeoutMs} ms; exiting with work unfinished`);
      process.exit(1);
    }, this.drain.timeoutMs);
    hardStop.unref();
    const delay = waitForLoadBalancers ? this.drain.delayMs : 0;
    this.logger.log(`${signal}: draining (not ready from now; new work refused in ${delay} ms; exit within ${this.drain.timeoutMs} ms)`);
    this.drain.begin();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(delay, deadline - Date.now())));
    this.drain.rejectNewWork();
    const idle = await this.drain.idle(deadline - Date.now());
    if (!idle) this.logger.warn('Requests still in flight at the drain deadline');
    try {
      await app.close();
    } catch (err) {
      this.logger.error(`Shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    }
    clearTimeout(hardStop);
    this.logger.log('Drained; exiting');
    process.exit(idle ? 0 : 1);
  }
}
