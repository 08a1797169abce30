import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { databaseConfig } from '../../config/database.config';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { RouteKey, routeKeyString } from '../../contracts/route-key';
import { GuardedQueries } from './guarded-queries';
import { APPLY_CHANGE, APPLY_CHANGES, EndpointRow } from './route-sql';

export type ApplyRow = EndpointRow & { created: boolean; changed: boolean; matched: boolean };

// The parameters of one single change, as APPLY_CHANGE takes them: the route key (4), url, active,
// the outbox row's message key, payload and headers, the precondition's kind and its revisions.
export type ChangeParams = [string, string, string, string, string | null, boolean, string, string, string, string | null, number[] | null];

// A group's answer to one of its changes: the single statement's rows, or "write it on its own" when
// the group was refused as a whole (ALONE).
export const ALONE = Symbol('alone');
export type GroupAnswer = ApplyRow[] | typeof ALONE;

export type GroupOutcome = 'committed' | 'alone' | 'failed';
export interface GroupCommitObserver {
  group(size: number, outcome: GroupOutcome): void;
}

interface Pending {
  key: string;
  params: ChangeParams;
  resolve: (answer: GroupAnswer) => void;
  reject: (err: unknown) => void;
}

// Group commit (docs/design.md, "Group commit"). Single changes that arrive while the write path is
// busy are written together: one statement (tm_apply_route_changes), so one round trip, one
// transaction and one WAL flush for the group instead of one each, which is about a third of
// PostgreSQL's CPU per change. At most `DB_WRITE_GROUP_CONCURRENCY` groups are in flight; changes
// that arrive meanwhile wait for the next group (up to `DB_WRITE_GROUP_MAX` of them). An idle write
// path sends a change on its own at the next turn of the event loop, as the single statement.
//
// Rules, so that grouping never changes an answer:
// - Lock order: a group applies its changes sorted by route key (stable, so two changes of one route
//   apply in arrival order), the order changesets lock in; groups, changesets and single writes
//   cannot deadlock on routes.
// - All or nothing: the group is one transaction. When PostgreSQL refuses it (an interlock's
//   refusal at commit, a constraint, a deadlock: any error with a SQLSTATE, after which the
//   transaction is rolled back for certain), nothing of it was written, and every change is
//   answered ALONE: its caller writes it on its own and gets exactly the answer it would have had.
// - A failure that leaves the outcome unknown or says the store is unavailable (a lost connection,
//   a timeout, the breaker open) is every change's failure, as it would be for a single write; it is
//   never retried here, so a change whose commit may have happened is never written twice.
//
// Nothing here is a library's job: pg has no group commit across pool clients, and PostgreSQL's
// commit_delay only merges WAL flushes, not the round trips and statements around them.
@Injectable()
export class GroupCommit {
  observer: GroupCommitObserver | null = null;
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly max: number;
  private readonly concurrency: number;

  constructor(
    private readonly db: GuardedQueries,
    @Inject(databaseConfig.KEY) config: Pick<ConfigType<typeof databaseConfig>, 'writeGroupMax' | 'writeGroupConcurrency'>,
  ) {
    this.max = config.writeGroupMax;
    this.concurrency = config.writeGroupConcurrency;
  }

  // The change's rows, as APPLY_CHANGE would return them, or ALONE. Rejects with the statement's
  // error when it was sent on its own, or with an unavailable store's error.
  apply(key: RouteKey, params: ChangeParams): Promise<GroupAnswer> {
    if (this.max <= 1) return this.db.query<ApplyRow[]>(APPLY_CHANGE, params);
    return new Promise<GroupAnswer>((resolve, reject) => {
      this.queue.push({ key: routeKeyString(key), params, resolve, reject });
      this.schedule();
    });
  }

  // Changes waiting for a group, and groups in flight (read by the spec).
  get state(): { waiting: number; inFlight: number } {
    return { waiting: this.queue.length, inFlight: this.inFlight };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency || !this.queue.length) return;
    this.scheduled = true;
    // The check phase after this turn's I/O: every request read in this turn joins the group.
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.scheduled = false;
    while (this.inFlight < this.concurrency && this.queue.length) {
      const group = this.queue.splice(0, this.max);
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  };

  private async commit(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group;
      const ok = await this.db.query<ApplyRow[]>(APPLY_CHANGE, only.params).then(
        (rows) => (only.resolve(rows), true),
        (err: unknown) => (only.reject(err), false),
      );
      this.observer?.group(1, ok ? 'committed' : 'failed');
      return;
    }
    // Stable sort: changes of one route keep their arrival order.
    const ordered = group.slice().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let rows: Array<ApplyRow & { ord: number }>;
    try {
      rows = await this.db.query(APPLY_CHANGES, columns(ordered));
    } catch (err) {
      const refused = sqlState(err) !== null && !isInfrastructureFailure(err);
      this.observer?.group(group.length, refused ? 'alone' : 'failed');
      for (const change of group) {
        if (refused) change.resolve(ALONE);
        else change.reject(err);
      }
      return;
    }
    const answers: ApplyRow[][] = ordered.map(() => []);
    for (const { ord, ...row } of rows) answers[ord - 1].push(row);
    ordered.forEach((change, index) => change.resolve(answers[index]));
    this.observer?.group(group.length, 'committed');
  }
}

// The group's parameters: one array per column of the single statement, in the group's order.
function columns(group: Pending[]): unknown[] {
  const out: unknown[][] = Array.from({ length: 11 }, () => new Array<unknown>(group.length));
  group.forEach(({ params }, row) => {
    for (let column = 0; column < 10; column++) out[column][row] = params[column];
    // PostgreSQL arrays are rectangular, so each change's revisions travel as an array literal.
    const revisions = params[10];
    out[10][row] = revisions ? `{${revisions.join(',')}}` : null;
  });
  return out;
}

// The SQLSTATE of an error PostgreSQL reported (pg's DatabaseError, with its severity; TypeORM's
// QueryFailedError copies both), else null: a driver or network error, a timeout on our side, the
// breaker.
function sqlState(err: unknown): string | null {
  const error = err as { code?: unknown; severity?: unknown; driverError?: { code?: unknown; severity?: unknown } } | null;
  const source = typeof error?.severity === 'string' ? error : error?.driverError;
  const code = typeof source?.severity === 'string' ? source.code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}
