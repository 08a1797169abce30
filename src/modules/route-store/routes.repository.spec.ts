import { DataSource } from 'typeorm';
import { Counter } from 'prom-client';
import { ALL_TENANTS } from '../../contracts/principal';
import { RouteEventDraft } from '../../contracts/route-event';
import { OutboxWriter } from '../outbox';
import { DependencyBreakers } from '../resilience';
import { GuardedQueries } from './guarded-queries';
import { GroupCommit } from './group-commit';
import { RoutesRepository } from './routes.repository';

// The SQL each call sends (to a fake data source that answers with no rows).
function repositoryWithLog() {
  const sent: Array<{ sql: string; params: unknown[] }> = [];
  const dataSource = { query: jest.fn(async (sql: string, params: unknown[]) => (sent.push({ sql, params }), [])) };
  const breakers = { database: { execute: <T>(run: () => Promise<T>) => run() } };
  const db = new GuardedQueries(
    dataSource as unknown as DataSource,
    breakers as unknown as DependencyBreakers,
    {
      inc: jest.fn(),
    } as unknown as Counter<string>,
  );
  const groups = new GroupCommit(db, { writeGroupMax: 32, writeGroupConcurrency: 2 });
  const repository = new RoutesRepository(db, new OutboxWriter(), groups);
  return { repository, sent };
}

const teamA = { tenant: 'team-a' };
const routeOfB = { tenant: 'team-b', service: 'payments', env: 'prod', version: 'v2' };
const draft: RouteEventDraft = {
  event_id: '0b7c3c2e-3a55-4b0e-9a57-000000000001',
  event_type: 'route_changed',
  ...routeOfB,
  changed_by: 'a-writer',
  changed_by_key_id: 'k-1',
  correlation_id: null,
  occurred_at: '2026-11-21T10:00:00.000Z',
};

describe(`${RoutesRepository.name} tenant scope`, () => {
  it('should neither read nor write a route outside the scope, and not ask the database', async () => {
    const { repository, sent } = repositoryWithLog();

    await expect(repository.findOne(teamA, routeOfB)).resolves.toBeNull();
    await expect(repository.findSnapshot(teamA, routeOfB)).resolves.toBeNull();
    await expect(repository.applyChange(teamA, routeOfB, { url: 'https://x.example.com', active: true }, draft)).resolves.toBeNull();
    await expect(repository.findSnapshots(teamA, [routeOfB])).resolves.toEqual(new Map());
    expect(sent).toEqual([]);
  });

  it('should ask the database for a route in the scope', async () => {
    const { repository, sent } = repositoryWithLog();

    await repository.findOne({ tenant: 'team-b' }, routeOfB);
    await repository.applyChange(ALL_TENANTS, routeOfB, { url: null, active: false }, draft);

    expect(sent.map((s) => s.params.slice(0, 4))).toEqual([Object.values(routeOfB), Object.values(routeOfB)]);
  });

  it('should look up only the batch routes in the scope', async () => {
    const { repository, sent } = repositoryWithLog();

    await repository.findSnapshots(teamA, [routeOfB, { ...routeOfB, tenant: 'team-a' }]);

    expect(sent[0].params).toEqual([['team-a'], ['payments'], ['prod'], ['v2']]);
  });

  it("should put the scope's tenant in a listing's WHERE clause, next to any tenant filter", async () => {
    const { repository, sent } = repositoryWithLog();

    await repository.list(teamA, { limit: 10 });
    await repository.list(teamA, { tenant: 'team-b', limit: 10 });
    await repository.list(ALL_TENANTS, { limit: 10 });

    expect(sent[0].sql).toMatch(/WHERE t\.name = \$1\s+ORDER BY e\.id LIMIT \$2/);
    expect(sent[0].params).toEqual(['team-a', 10]);
    expect(sent[1].sql).toMatch(/WHERE t\.name = \$1 AND t\.name = \$2\s+ORDER BY/);
    expect(sent[1].params).toEqual(['team-a', 'team-b', 10]);
    expect(sent[2].sql).not.toContain('WHERE');
  });
});
