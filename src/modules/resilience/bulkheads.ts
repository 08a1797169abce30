import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { bulkhead, BulkheadPolicy, BulkheadRejectedError } from 'cockatiel';
import { Counter } from 'prom-client';
import { resilienceConfig } from '../../config/resilience.config';
import { OperationClass, RESILIENCE_METRIC } from './resilience.constants';
import { ServiceOverloadedError } from './resilience.errors';

interface Compartment {
  policy: BulkheadPolicy;
  concurrency: number;
  queue: number;
  total: number;
  rejected: number;
}

// Bounded concurrency plus a small bounded queue per operation class (cockatiel bulkheads), so a
// flood of one kind (slow audit queries, a write storm) cannot take the threads of another. When a
// compartment and its queue are full the request is refused at once with 503 SERVICE.OVERLOADED and
// Retry-After; nobody waits for a slot that is not coming (the seed made callers wait 5-10 s).
@Injectable()
export class Bulkheads {
  private readonly compartments: Record<OperationClass, Compartment>;

  constructor(
    @Inject(resilienceConfig.KEY) config: ConfigType<typeof resilienceConfig>,
    @InjectMetric(RESILIENCE_METRIC.bulkheadRejected) private readonly rejections: Counter<string>,
  ) {
    const make = ({ concurrency, queue }: { concurrency: number; queue: number }): Compartment => ({
      policy: bulkhead(concurrency, queue),
      concurrency,
      queue,
      total: 0,
      rejected: 0,
    });
    this.compartments = { resolve: make(config.bulkheads.resolve), writes: make(config.bulkheads.writes), audit: make(config.bulkheads.audit) };
  }

  async run<T>(operation: OperationClass, work: () => Promise<T>): Promise<T> {
    const compartment = this.compartments[operation];
    compartment.total += 1;
    try {
      return await compartment.policy.execute(work);
    } catch (err) {
      if (err instanceof BulkheadRejectedError) {
        compartment.rejected += 1;
        this.rejections.inc({ bulkhead: operation });
        throw new ServiceOverloadedError(operation);
      }
      throw err;
    }
  }

  inUse(operation: OperationClass): number {
    const { policy, concurrency } = this.compartments[operation];
    return concurrency - policy.executionSlots;
  }

  snapshot() {
    return Object.fromEntries(
      (Object.keys(this.compartments) as OperationClass[]).map((name) => {
        const { policy, concurrency, queue, total, rejected } = this.compartments[name];
        const inUse = concurrency - policy.executionSlots;
        return [
          name,
          {
            name,
            current_usage: inUse,
            max_concurrent: concurrency,
            utilization: Math.round((inUse / concurrency) * 1000) / 10,
            queued: queue - policy.queueSlots,
            max_queue: queue,
            total_operations: total,
            rejected_operations: rejected,
            available_slots: policy.executionSlots,
          },
        ];
      }),
    );
  }
}
