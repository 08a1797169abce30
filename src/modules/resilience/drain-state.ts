import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { resilienceConfig } from '../../config/resilience.config';
import { RESILIENCE_METRIC } from './resilience.constants';
import { ServiceDrainingError } from './resilience.errors';

// Graceful draining: from begin() on, readiness answers 503 so load balancers stop sending; after
// DRAIN_DELAY new work is refused with 503 SERVICE.DRAINING; work already accepted always finishes.
@Injectable()
export class DrainState {
  private startedAt: number | null = null;
  private rejecting = false;
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private readonly onBeginListeners: Array<() => void> = [];

  constructor(
    @Inject(resilienceConfig.KEY) private readonly config: ConfigType<typeof resilienceConfig>,
    @InjectMetric(RESILIENCE_METRIC.draining) private readonly gauge: Gauge<string>,
  ) {
    this.gauge.set(0);
  }

  get isDraining(): boolean {
    return this.startedAt !== null;
  }

  get isRejecting(): boolean {
    return this.rejecting;
  }

  get delayMs(): number {
    return this.config.drain.delayMs;
  }

  get timeoutMs(): number {
    return this.config.drain.timeoutMs;
  }

  begin(): void {
    if (this.startedAt !== null) return;
    this.startedAt = Date.now();
    this.gauge.set(1);
    for (const listener of this.onBeginListeners) listener();
  }

  // Called once when draining begins: for work that waits on events rather than on a store (held
  // long-polls), which would otherwise keep the instance up until the drain timeout.
  onBegin(listener: () => void): void {
    this.onBeginListeners.push(listener);
  }

  rejectNewWork(): void {
    this.begin();
    this.rejecting = true;
  }

  // Call around every unit of accepted work; throws ServiceDrainingError once new work is refused.
  enter(): void {
    if (this.rejecting) throw new ServiceDrainingError();
    this.inFlight += 1;
  }

  leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  // Resolves true once nothing is in flight, false if that took longer than `timeoutMs`.
  idle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  snapshot() {
    return {
      name: 'api_server',
      is_draining: this.isDraining,
      rejecting_new_work: this.rejecting,
      in_flight_requests: this.inFlight,
      draining_started_at: this.startedAt === null ? null : this.startedAt / 1000,
      draining_elapsed_seconds: this.startedAt === null ? null : (Date.now() - this.startedAt) / 1000,
      drain_delay: this.config.drain.delayMs / 1000,
      drain_timeout: this.config.drain.timeoutMs / 1000,
    };
  }
}
