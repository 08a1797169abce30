import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { METRIC } from '../../common/metrics/metric-names';
import { GroupCommit, GroupCommitObserver, GroupOutcome } from '../route-store';

// Group commit's metrics. GroupCommit lives in the route store, which the consumer process shares;
// only the API writes single changes, so only the API registers these and observes the groups.
@Injectable()
export class GroupCommitMetrics implements GroupCommitObserver, OnModuleInit {
  constructor(
    private readonly groups: GroupCommit,
    @InjectMetric(METRIC.writeGroups) private readonly outcomes: Counter<string>,
    @InjectMetric(METRIC.writeGroupSize) private readonly sizes: Histogram<string>,
  ) {}

  onModuleInit(): void {
    this.groups.observer = this;
  }

  group(size: number, outcome: GroupOutcome): void {
    this.sizes.observe(size);
    this.outcomes.inc({ outcome });
  }
}
