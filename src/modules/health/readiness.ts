import { Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Gauge } from 'prom-client';
import { DrainState } from '../resilience';
import { READINESS_METRIC } from './health.constants';

// /health/ready of either process: its own checks plus the drain state (not ready from the shutdown
// signal on), with the outcome kept in readiness_status for alerting on flapping.
@Injectable()
export class Readiness {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly drain: DrainState,
    @InjectMetric(READINESS_METRIC) private readonly gauge: Gauge<string>,
  ) {}

  async check(checks: HealthIndicatorFunction[], whileDraining: string) {
    try {
      const result = await this.health.check([...checks, () => this.drainCheck(whileDraining)]);
      this.gauge.set(1);
      return result;
    } catch (err) {
      this.gauge.set(0);
      throw err;
    }
  }

  private drainCheck(message: string) {
    const indicator = this.indicators.check('draining');
    if (!this.drain.isDraining) return indicator.up();
    return indicator.down({ in_flight_requests: this.drain.snapshot().in_flight_requests, message });
  }
}
