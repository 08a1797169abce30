import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { bulkhead, BulkheadPolicy, BulkheadRejectedError } from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { resilienceConfig } from '../../config/resilience.config';
import { OperationClass, RESILIENCE_METRIC } from './resilience.constants';
import { ServiceOverloadedError, TenantOverloadedError } from './resilience.errors';

// Tenants whose compartment is kept; one evicted while busy is replaced by a fresh one, so that tenant
// may briefly get twice its share.
const MAX_TENANT_COMPARTMENTS = 10_000;

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
// Resolve's reads of PostgreSQL (cache misses) also get a compartment per tenant, a share of the
// connection pool (RESOLVE_TENANT_DB_SHARE_PERCENT), so one tenant's stampede of misses (a deploy of
// clients asking for routes that were never cached, a scan of random versions) cannot take every
// connection: the other tenants' misses, and the writes, keep the rest (peer table §3 item 9).
@Injectable()
export class Bulkheads {
  private readonly compartments: Record<OperationClass, Compartment>;
  private readonly tenantLimit: { concurrency: number; queue: number } | null;
  private readonly tenants = new LRUCache<string, Compartment>({ max: MAX_TENANT_COMPARTMENTS });
  private readonly tenantTotals = { total: 0, rejected: 0 };

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
    this.tenantLimit = config.bulkheads.resolveTenant;
  }

  // `work` (a PostgreSQL read for a cache miss) within the tenant's share; TenantOverloadedError (503)
  // when its slots and queue are full.
  async runForTenant<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    if (!this.tenantLimit) return work();
    let compartment = this.tenants.get(tenant);
    if (!compartment) {
      const { concurrency, queue } = this.tenantLimit;
      compartment = { policy: bulkhead(concurrency, queue), concurrency, queue, total: 0, rejected: 0 };
      this.tenants.set(tenant, compartment);
    }
    this.tenantTotals.total += 1;
    try {
      return await compartment.policy.execute(work);
    } catch (err) {
      if (err instanceof BulkheadRejectedError) {
        this.tenantTotals.rejected += 1;
        this.rejections.inc({ bulkhead: 'resolve_tenant' });
        throw new TenantOverloadedError(tenant);
      }
      throw err;
    }
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
    return { ...this.classSnapshot(), ...(this.tenantLimit ? { resolve_tenant: this.tenantSnapshot(this.tenantLimit) } : {}) };
  }

  // Per tenant limits, with what all tenants' compartments hold now added up.
  private tenantSnapshot({ concurrency, queue }: { concurrency: number; queue: number }) {
    let inUse = 0;
    let queued = 0;
    let busiest = 0;
    for (const { policy } of this.tenants.values()) {
      inUse += concurrency - policy.executionSlots;
      queued += queue - policy.queueSlots;
      busiest = Math.max(busiest, concurrency - policy.executionSlots);
    }
    return {
      name: 'resolve_tenant',
      per_tenant: true,
      current_usage: inUse,
      busiest_tenant_usage: busiest,
      max_concurrent: concurrency,
      queued,
      max_queue: queue,
      tenants: this.tenants.size,
      total_operations: this.tenantTotals.total,
      rejected_operations: this.tenantTotals.rejected,
    };
  }

  private classSnapshot() {
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
