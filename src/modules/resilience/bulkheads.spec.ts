import { Counter, Registry } from 'prom-client';
import { ResilienceConfig } from '../../config/resilience.config';
import { Bulkheads } from './bulkheads';
import { TenantOverloadedError } from './resilience.errors';

const compartment = { concurrency: 4, queue: 4 };

function bulkheads(resolveTenant: { concurrency: number; queue: number } | null) {
  const config = { bulkheads: { resolve: compartment, writes: compartment, audit: compartment, resolveTenant } } as unknown as ResilienceConfig;
  const rejections = new Counter({ name: 'rejected', help: 'rejected', labelNames: ['bulkhead'], registers: [new Registry()] });
  return { sut: new Bulkheads(config, rejections), rejections };
}

// A piece of work that runs until released.
function held() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { work: () => done.then(() => 'done'), release };
}

describe('Bulkheads.runForTenant', () => {
  it("should refuse a tenant's work beyond its share and queue, and leave other tenants theirs", async () => {
    const { sut, rejections } = bulkheads({ concurrency: 1, queue: 1 });
    const a1 = held();
    const running = sut.runForTenant('team-a', a1.work);
    const queued = sut.runForTenant('team-a', a1.work);

    await expect(sut.runForTenant('team-a', a1.work)).rejects.toBeInstanceOf(TenantOverloadedError);
    await expect(sut.runForTenant('team-b', async () => 'b')).resolves.toBe('b');
    expect(sut.snapshot().resolve_tenant).toMatchObject({ current_usage: 1, busiest_tenant_usage: 1, queued: 1, tenants: 2, rejected_operations: 1 });
    expect((await rejections.get()).values).toEqual([expect.objectContaining({ labels: { bulkhead: 'resolve_tenant' }, value: 1 })]);
    a1.release();
    await expect(Promise.all([running, queued])).resolves.toEqual(['done', 'done']);
  });

  it('should name the tenant in the 503 it answers with', async () => {
    const { sut } = bulkheads({ concurrency: 1, queue: 0 });
    const a = held();
    const running = sut.runForTenant('team-a', a.work);
    const refused = await sut.runForTenant('team-a', a.work).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'SERVICE.OVERLOADED', transient: true, context: { tenant: 'team-a' } });
    a.release();
    await running;
  });

  it('should let everything through, and show no compartment, when there is no per-tenant limit', async () => {
    const { sut } = bulkheads(null);
    const a = held();
    const all = Array.from({ length: 20 }, () => sut.runForTenant('team-a', a.work));
    a.release();
    await expect(Promise.all(all)).resolves.toHaveLength(20);
    expect(sut.snapshot()).not.toHaveProperty('resolve_tenant');
  });
});
