import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { EventLoopUtilization, performance } from 'perf_hooks';
import { Counter } from 'prom-client';
import { memoryConfig } from '../../config/memory.config';
import { METRIC } from '../metrics/metric-names';
import { collectAllAvailableGarbage, MemoryTrimPolicy, residentBytes, TrimOutcome } from './memory-trim';

const MB = 1024 * 1024;

// Gives freed heap pages back to the OS once load has gone (memory-trim.ts explains why), in both
// processes. Settings: MEMORY_TRIM_* (README); counted in memory_trims_total{result} and
// memory_trim_released_bytes_total.
@Injectable()
export class MemoryTrimService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MemoryTrim');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(memoryConfig.KEY) private readonly config: ConfigType<typeof memoryConfig>,
    @InjectMetric(METRIC.memoryTrims) private readonly trims: Counter<string>,
    @InjectMetric(METRIC.memoryTrimReleased) private readonly released: Counter<string>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.trimEnabled) return;
    if (!process.features.inspector) {
      this.logger.warn('MEMORY_TRIM_ENABLED: this Node build has no inspector, so freed heap pages are never given back');
      return;
    }
    let last: EventLoopUtilization | undefined;
    const policy = new MemoryTrimPolicy(
      { idleBusyShare: this.config.idleBusyShare, minGrowthBytes: this.config.minGrowthBytes },
      {
        busyShare: () => {
          const now = performance.eventLoopUtilization();
          const share = last === undefined ? 0 : performance.eventLoopUtilization(now, last).utilization;
          last = now;
          return share;
        },
        residentBytes,
        release: collectAllAvailableGarbage,
        now: () => performance.now(),
      },
    );
    this.timer = setInterval(() => void policy.check().then((outcome) => this.record(outcome)), this.config.checkIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private record(outcome: TrimOutcome | undefined): void {
    if (outcome === undefined) return;
    this.trims.inc({ result: outcome.result });
    if (outcome.result === 'failed') {
      this.logger.warn(`Idle-time collection failed after ${outcome.pauseMs.toFixed(0)} ms: ${outcome.error.message}`);
      return;
    }
    const freed = Math.max(0, outcome.beforeBytes - outcome.afterBytes);
    this.released.inc(freed);
    this.logger.log(
      `Idle (event loop ${(outcome.busyShare * 100).toFixed(1)} % busy): gave ${(freed / MB).toFixed(0)} MB back to the OS, ` +
        `RSS ${(outcome.beforeBytes / MB).toFixed(0)} -> ${(outcome.afterBytes / MB).toFixed(0)} MB in a ${outcome.pauseMs.toFixed(0)} ms pause`,
    );
  }
}
