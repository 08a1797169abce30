import { ALONE, ChangeParams, GroupCommit, GroupOutcome } from './group-commit';
import { GuardedQueries } from './guarded-queries';
import { APPLY_CHANGE, APPLY_CHANGES } from './route-sql';

interface Sent {
  sql: string;
  params: unknown[];
  answer: (rows: unknown[]) => void;
  fail: (err: unknown) => void;
}

// A fake route store whose statements wait until the test answers them.
function groupCommit(writeGroupMax = 32, writeGroupConcurrency = 2) {
  const sent: Sent[] = [];
  const db = {
    query: (sql: string, params: unknown[]) =>
      new Promise((answer, fail) => {
        sent.push({ sql, params, answer, fail });
      }),
  };
  const groups = new GroupCommit(db as unknown as GuardedQueries, { writeGroupMax, writeGroupConcurrency });
  const seen: Array<[number, GroupOutcome]> = [];
  groups.observer = { group: (size, outcome) => seen.push([size, outcome]) };
  return { groups, sent, seen };
}

// Two turns of the event loop: the group's settling (microtasks), then its next pump (setImmediate).
const turn = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

function change(version: string, url: string | null = `https://${version}.example.com`, revisions: number[] | null = null): ChangeParams {
  return ['team-a', 'payments', 'prod', version, url, true, `team-a/payments/prod/${version}`, '{}', '{}', revisions ? 'revisions' : null, revisions];
}
const key = (version: string) => ({ tenant: 'team-a', service: 'payments', env: 'prod', version });
const row = (ord: number, version: string, revision: number) => ({ ord, id: ord, version, url: 'u', is_active: true, revision, matched: true });
const pgError = (code: string) => Object.assign(new Error(`refused ${code}`), { code, severity: 'ERROR' });

describe(GroupCommit.name, () => {
  it('should send a change on its own, as the single statement, when the write path is idle', async () => {
    const { groups, sent, seen } = groupCommit();

    const answer = groups.apply(key('v1'), change('v1'));
    await turn();
    expect(sent.map((s) => s.sql)).toEqual([APPLY_CHANGE]);
    expect(sent[0].params).toEqual(change('v1'));
    sent[0].answer([{ version: 'v1', revision: 3 }]);

    await expect(answer).resolves.toEqual([{ version: 'v1', revision: 3 }]);
    expect(seen).toEqual([[1, 'committed']]);
  });

  it('should commit changes arriving together as one group, in route-key order, and give each its own rows', async () => {
    const { groups, sent, seen } = groupCommit();

    const v3 = groups.apply(key('v3'), change('v3'));
    const v1 = groups.apply(key('v1'), change('v1', null, [4, 5]));
    const v2 = groups.apply(key('v2'), change('v2', null));
    await turn();

    expect(sent.map((s) => s.sql)).toEqual([APPLY_CHANGES]);
    const params = sent[0].params as unknown[][];
    expect(params).toHaveLength(11);
    expect(params[3]).toEqual(['v1', 'v2', 'v3']);
    expect(params[4]).toEqual([null, null, 'https://v3.example.com']);
    // Rectangular arrays only: each change's revisions as an array literal.
    expect(params[10]).toEqual(['{4,5}', null, null]);
    // v2 found no route: no row for it.
    sent[0].answer([row(1, 'v1', 6), row(3, 'v3', 1)]);

    await expect(v1).resolves.toEqual([{ id: 1, version: 'v1', url: 'u', is_active: true, revision: 6, matched: true }]);
    await expect(v2).resolves.toEqual([]);
    await expect(v3).resolves.toEqual([{ id: 3, version: 'v3', url: 'u', is_active: true, revision: 1, matched: true }]);
    expect(seen).toEqual([[3, 'committed']]);
  });

  it('should keep the arrival order of changes to one route', async () => {
    const { groups, sent } = groupCommit();

    const first = groups.apply(key('v2'), change('v2', 'https://first.example.com'));
    void groups.apply(key('v1'), change('v1'));
    const second = groups.apply(key('v2'), change('v2', 'https://second.example.com'));
    await turn();

    const params = sent[0].params as unknown[][];
    expect(params[3]).toEqual(['v1', 'v2', 'v2']);
    expect(params[4]).toEqual(['https://v1.example.com', 'https://first.example.com', 'https://second.example.com']);
    sent[0].answer([row(1, 'v1', 2), row(2, 'v2', 7), row(3, 'v2', 8)]);
    await expect(first).resolves.toMatchObject([{ revision: 7 }]);
    await expect(second).resolves.toMatchObject([{ revision: 8 }]);
  });

  it('should hold changes while the groups in flight are at the limit, then send them as the next group, at most the maximum each', async () => {
    const { groups, sent, seen } = groupCommit(3, 1);

    const early = groups.apply(key('v0'), change('v0'));
    await turn();
    const later = ['v1', 'v2', 'v3', 'v4'].map((v) => groups.apply(key(v), change(v)));
    await turn();
    expect(sent).toHaveLength(1);
    expect(groups.state).toEqual({ waiting: 4, inFlight: 1 });

    sent[0].answer([row(1, 'v0', 1)]);
    await early;
    await turn();
    expect(sent.map((s) => (s.params[3] as string[] | string).toString())).toEqual(['v0', 'v1,v2,v3']);
    sent[1].answer([row(1, 'v1', 1), row(2, 'v2', 1), row(3, 'v3', 1)]);
    await turn();
    expect(sent.map((s) => s.sql)).toEqual([APPLY_CHANGE, APPLY_CHANGES, APPLY_CHANGE]);
    sent[2].answer([{ version: 'v4', revision: 1 }]);

    await expect(Promise.all(later)).resolves.toHaveLength(4);
    expect(seen).toEqual([
      [1, 'committed'],
      [3, 'committed'],
      [1, 'committed'],
    ]);
    expect(groups.state).toEqual({ waiting: 0, inFlight: 0 });
  });

  it.each(['TM409', 'TM429', '40P01', '23505', 'P0001'])(
    'should answer every change ALONE when PostgreSQL refuses the group with %s (nothing of it was written)',
    async (code) => {
      const { groups, sent, seen } = groupCommit();

      const answers = ['v1', 'v2'].map((v) => groups.apply(key(v), change(v)));
      await turn();
      sent[0].fail(pgError(code));

      await expect(Promise.all(answers)).resolves.toEqual([ALONE, ALONE]);
      expect(seen).toEqual([[2, 'alone']]);
    },
  );

  it('should see a refusal that TypeORM wrapped (QueryFailedError keeps the driver error)', async () => {
    const { groups, sent } = groupCommit();

    const answers = ['v1', 'v2'].map((v) => groups.apply(key(v), change(v)));
    await turn();
    sent[0].fail(Object.assign(new Error('query failed'), { driverError: pgError('TM409') }));

    await expect(Promise.all(answers)).resolves.toEqual([ALONE, ALONE]);
  });

  it.each([
    ['a lost connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a broken pipe', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ['a statement timeout', pgError('57014')],
    ['PostgreSQL shutting down', pgError('57P01')],
    ['a connection failure', pgError('08006')],
    ['the breaker open', new Error('Execution prevented because the circuit breaker is open')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('should fail every change with %s, never writing them again (the group may have committed)', async (_, failure) => {
    const { groups, sent, seen } = groupCommit();

    const answers = ['v1', 'v2', 'v3'].map((v) => groups.apply(key(v), change(v)));
    await turn();
    sent[0].fail(failure);

    for (const answer of answers) await expect(answer).rejects.toBe(failure);
    expect(sent).toHaveLength(1);
    expect(seen).toEqual([[3, 'failed']]);
  });

  it("should pass a change's own failure through when it was sent on its own", async () => {
    const { groups, sent, seen } = groupCommit();
    const refusal = pgError('TM409');

    const answer = groups.apply(key('v1'), change('v1'));
    await turn();
    sent[0].fail(refusal);

    await expect(answer).rejects.toBe(refusal);
    expect(seen).toEqual([[1, 'failed']]);
  });

  it('should send every change on its own at once when grouping is off (DB_WRITE_GROUP_MAX=1)', async () => {
    const { groups, sent } = groupCommit(1);

    void groups.apply(key('v1'), change('v1'));
    void groups.apply(key('v2'), change('v2'));

    expect(sent.map((s) => [s.sql, s.params[3]])).toEqual([
      [APPLY_CHANGE, 'v1'],
      [APPLY_CHANGE, 'v2'],
    ]);
    expect(groups.state).toEqual({ waiting: 0, inFlight: 0 });
  });
});
