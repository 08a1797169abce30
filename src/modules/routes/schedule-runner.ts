import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { DrainState } from '../resilience';
import { SchedulesService } from './schedules.service';

// How often each API instance looks for due schedules (with jitter), and how many it applies per look.
const POLL_MS = 1_000;
const PER_PASS = 50;

// Applies scheduled changesets when they come due. Runs on every API instance: a due row is locked
// with FOR UPDATE SKIP LOCKED in the transaction that applies it, so each is applied by exactly one
// instance, and none is lost while any instance runs (one that was down at the time applies it when
// it is back; `finished_at` shows how late). Stops when the instance starts draining.
@Injectable()
export class ScheduleRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Schedules');
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly schedules: SchedulesService,
    private readonly drain: DrainState,
    @InjectMetric(METRIC.scheduledChangesets) private readonly outcomes: Counter<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.drain.onBegin(() => this.stop());
    this.next();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop();
    await this.pass;
  }

  // Applies what is due now; returns how many schedules came due (applied or failed).
  async runDue(): Promise<number> {
    let done = 0;
    while (done < PER_PASS && !this.stopped) {
      const result = await this.schedules.applyNextDue();
      if (!result) break;
      done += 1;
      const { record } = result;
      const late = record.finishedAt ? record.finishedAt.getTime() - record.scheduledAt.getTime() : 0;
      if ('applied' in result) {
        this.outcomes.inc({ outcome: 'applied' });
        this.logger.log(`Applied scheduled changeset ${record.id} of ${record.tenant} (${result.applied.length} changes, ${late} ms after its time)`);
      } else {
        this.outcomes.inc({ outcome: 'failed' });
        this.logger.warn(`Scheduled changeset ${record.id} of ${record.tenant} failed: ${JSON.stringify(record.outcome)}`);
      }
    }
    return done;
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private next(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), POLL_MS * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.pass = this.runDue().then(
      () => {
        if (this.failing) this.logger.log('Scheduled changesets: PostgreSQL answers again');
        this.failing = false;
      },
      (err: unknown) => {
        // Once per outage, not once a second: the schedules wait in PostgreSQL and run when it is back.
        if (!this.failing) this.logger.warn(`Scheduled changesets cannot be applied now, retrying every second: ${(err as Error).message}`);
        this.failing = true;
      },
    );
    await this.pass;
    this.pass = undefined;
    this.next();
  }
}
