/**
 * Group commit for SQLite: write transactions that arrive while another one holds the
 * single connection join it, each in a SAVEPOINT of its own, and are acknowledged together
 * after one shared COMMIT.
 *
 * Why: SQLite has one writer, and knex gives Peyvand one connection, so concurrent writes
 * queue anyway. A COMMIT is the dearest statement of a customer create (1.3 ms of 4.5,
 * docs/performance.md): it appends the transaction's pages to the WAL (the checkpoint that
 * copies them back runs on a thread of its own, wal-checkpointer.ts). A group pays it
 * once, and its members mostly touch the same pages (the tails of the customers, audit and
 * outbox tables, the index pages), so the WAL grows by far fewer pages per write.
 *
 * What a caller is promised, exactly as with a transaction of its own:
 * - its work resolves only after the COMMIT that made it durable succeeded;
 * - a failing member is rolled back to its savepoint alone and rejected with its own error;
 *   the others go on and commit;
 * - if the shared transaction cannot commit (or SQLite aborted it under a member), every
 *   member that ran in it is rejected and nothing of theirs is kept; members that had not
 *   started yet run in the next group instead (nothing of theirs ran, so nothing repeats).
 *
 * Members run one after another, never interleaved: a savepoint rolls back everything
 * after it, so interleaved members could undo each other. A member's view is therefore the
 * one a serial execution gives: it sees the writes of the members before it.
 *
 * Bounds: a group admits at most `maxMembers`, and none once it has held the connection for
 * `maxOpenMs` (so a steady stream of writes cannot keep one group open, delaying the first
 * member's answer and the readers queued on the connection without end). A member still
 * waiting for its turn after `queueTimeoutMs` is rejected like a knex pool wait that timed
 * out; this also turns a `Database.transaction` awaited inside another member (which would
 * wait for itself) into the same error the single-connection pool gives today.
 */
import type { Knex } from 'knex';
import { DeferredAppends } from './deferred-appends.js';

/** The parts of a better-sqlite3 connection the group needs. */
interface SqliteConnection {
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
  prepare(sql: string): { run(): unknown };
}

/** The statements that open and close a member's savepoint, compiled once per connection. */
interface MemberSavepoint {
  open: { run(): unknown };
  release: { run(): unknown };
  rollback: { run(): unknown };
}

/**
 * One name for every member's savepoint: members run one at a time, so theirs is never
 * nested in another's, and a fixed text compiles once (knex names each savepoint afresh).
 */
const MEMBER_SAVEPOINT = 'peyvand_member';

const memberSavepoints = new WeakMap<SqliteConnection, MemberSavepoint>();

/** What a running group offers its members' statements, by the transaction they run on. */
export interface RunningGroup {
  /** Rows held back until the group's end (deferred-appends.ts). */
  appends: DeferredAppends;
  /**
   * The group's connection, for statements a member runs on it directly as prepared
   * statements (no knex query building): only during the member's turn, synchronously.
   */
  connection: { prepare(sql: string): { run(...bindings: unknown[]): unknown; all(...bindings: unknown[]): Array<Record<string, unknown>> } };
}

const groupsByTransaction = new WeakMap<Knex.Transaction, RunningGroup>();

/**
 * The running group whose member works on `trx`; undefined for any other transaction or
 * connection (PostgreSQL, MariaDB, a nested transaction, no transaction).
 */
export function runningGroupOf(trx: unknown): RunningGroup | undefined {
  return typeof trx === 'function' ? groupsByTransaction.get(trx as Knex.Transaction) : undefined;
}

/** Inserts rows into a table within a transaction (the dialect's multi-row insert). */
export type TransactionInsert = (trx: Knex.Transaction, table: string, rows: readonly Record<string, unknown>[]) => Promise<void>;

/** The member savepoint statements of `conn`, prepared on first use. */
function memberSavepointOf(conn: SqliteConnection): MemberSavepoint {
  let statements = memberSavepoints.get(conn);
  if (!statements) {
    statements = {
      open: conn.prepare(`SAVEPOINT ${MEMBER_SAVEPOINT}`),
      release: conn.prepare(`RELEASE SAVEPOINT ${MEMBER_SAVEPOINT}`),
      rollback: conn.prepare(`ROLLBACK TO SAVEPOINT ${MEMBER_SAVEPOINT}`),
    };
    memberSavepoints.set(conn, statements);
  }
  return statements;
}

/** How large and how long a group may grow. */
export interface GroupCommitLimits {
  /** Members per group. */
  maxMembers: number;
  /** After holding the connection this long, a group admits no new member (ms). */
  maxOpenMs: number;
  /** A member waiting longer than this for its turn fails (ms); knex's pool wait by default. */
  queueTimeoutMs: number;
}

export const DEFAULT_GROUP_LIMITS: GroupCommitLimits = { maxMembers: 32, maxOpenMs: 50, queueTimeoutMs: 10_000 };

/** One write transaction waiting for, or running in, a group. */
interface Member {
  work: (trx: Knex.Transaction) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set once its savepoint was released: it waits for the COMMIT. */
  done: boolean;
  value: unknown;
  /** Gave up waiting (queue timeout): skipped when its turn comes. */
  abandoned: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** One shared transaction and its members, in arrival order. */
interface Group {
  members: Member[];
  /** Index of the next member to run. */
  next: number;
  /** performance.now() when the group got the connection; 0 while it waits for it. */
  openedAt: number;
}

/** What a group tells whoever waits on it. */
export interface GroupStats {
  groups: number;
  members: number;
  largest: number;
}

/** Runs SQLite write transactions in groups that share one COMMIT. */
export class GroupCommit {
  /** The group new transactions join, if one admits them. */
  private forming: Group | undefined;
  readonly stats: GroupStats = { groups: 0, members: 0, largest: 0 };

  constructor(
    private readonly knex: Knex,
    private readonly limits: GroupCommitLimits = DEFAULT_GROUP_LIMITS,
    /** How the group inserts its members' deferred appends before COMMIT. */
    private readonly insert: TransactionInsert = async (trx, table, rows) => {
      if (rows.length > 0) await trx(table).insert(rows);
    },
  ) {}

  /** Members admitted to the forming group that have not started yet (tests wait on it). */
  get waiting(): number {
    const group = this.forming;
    return group ? group.members.length - group.next : 0;
  }

  /** Runs `work` as a member of the forming group (or a new one); resolves after the group's COMMIT. */
  run<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const member: Member = { work, resolve: resolve as (value: unknown) => void, reject, done: false, value: undefined, abandoned: false, timer: undefined };
      this.admit(member);
    });
  }

  private admit(member: Member): void {
    let group = this.forming;
    if (!group || !this.admits(group)) {
      const started = (group = this.forming = { members: [], next: 0, openedAt: 0 });
      // better-sqlite3 runs every statement synchronously, so a transaction started at once
      // would finish within this turn of the event loop, before the requests already received
      // reach theirs: under HTTP load every group had one member. Starting on the next turn
      // lets them join. The wait is before BEGIN, holding no lock: a transaction still never
      // spans a turn in which another connection of this process could block on its lock.
      // Not awaited: the group settles each member itself.
      setImmediate(() => void this.execute(started));
    }
    group.members.push(member);
    clearTimeout(member.timer);
    member.timer = setTimeout(() => {
      member.abandoned = true;
      member.reject(new Error('Timeout acquiring a connection: a write waited its turn longer than the transaction queue allows'));
    }, this.limits.queueTimeoutMs);
    member.timer.unref();
  }

  private admits(group: Group): boolean {
    return group.members.length < this.limits.maxMembers && (group.openedAt === 0 || performance.now() - group.openedAt < this.limits.maxOpenMs);
  }

  /** Stops `group` admitting members: later transactions start the next group. */
  private close(group: Group): void {
    if (this.forming === group) this.forming = undefined;
  }

  private async execute(group: Group): Promise<void> {
    let conn: SqliteConnection;
    try {
      conn = (await this.knex.client.acquireConnection()) as SqliteConnection;
    } catch (err) {
      this.close(group);
      for (const m of group.members) settle(m, err);
      return;
    }
    group.openedAt = performance.now();
    let began = false;
    try {
      // `connection` makes knex BEGIN on the connection held here and leave its release to
      // us: a failed COMMIT must be rolled back before anyone else gets the connection.
      await this.knex.transaction(async (outer) => {
        began = true;
        const appends = new DeferredAppends();
        groupsByTransaction.set(outer, { appends, connection: conn as unknown as RunningGroup['connection'] });
        try {
          await this.runWaiting(group, outer, conn, appends);
          // Synchronously after the last member: nobody joins between it and COMMIT.
          this.close(group);
          // Outside any member's savepoint: a failure here fails the COMMIT, so every member.
          await appends.drain((table, rows) => this.insert(outer, table, rows));
        } finally {
          groupsByTransaction.delete(outer);
        }
      }, { connection: conn });
      this.record(group);
      for (const m of group.members) if (m.done) m.resolve(m.value);
    } catch (err) {
      this.close(group);
      if (conn.inTransaction) rollback(conn);
      const cause = err instanceof SharedTransactionLost ? err.cause : err;
      for (const m of group.members.slice(0, group.next)) if (m.done) m.reject(cause);
      // Members that never ran try again in the next group, unless this one could not even
      // begin (that would only fail the same way again).
      const retry = began && group.next > 0;
      for (const m of group.members.slice(group.next)) {
        if (m.abandoned) continue;
        if (retry) this.admit(m);
        else settle(m, cause);
      }
    } finally {
      this.knex.client.releaseConnection(conn);
    }
  }

  /**
   * Runs the group's members that have not run yet, one after another, each in a savepoint.
   *
   * A member works on the group's own transaction object inside a savepoint this function
   * opens and closes, not in a nested knex transaction: knex builds a transaction object per
   * nesting (a tenth of a millisecond of a create's JavaScript, profiled) and names each
   * savepoint afresh, so its three statements were compiled anew for every write. A member
   * must therefore await its queries (every write path does): one left running after its
   * work resolved would run in the next member's savepoint.
   */
  private async runWaiting(group: Group, outer: Knex.Transaction, conn: SqliteConnection, appends: DeferredAppends): Promise<void> {
    const savepoint = memberSavepointOf(conn);
    for (let m = group.members[group.next]; m; m = group.members[group.next]) {
      group.next++;
      if (m.abandoned) continue;
      clearTimeout(m.timer);
      if (!conn.inTransaction) {
        // The shared transaction is gone: never let a member run in autocommit.
        group.next--;
        throw new SharedTransactionLost(new Error('the shared transaction ended under a member'));
      }
      try {
        savepoint.open.run();
        m.value = await m.work(outer);
        savepoint.release.run();
        appends.memberReleased();
        m.done = true;
      } catch (err) {
        if (!conn.inTransaction) {
          // SQLite rolled the whole transaction back (disk full, I/O error): every member that
          // ran is lost with it, this one included, with the error that did it.
          m.done = true;
          throw new SharedTransactionLost(err);
        }
        try {
          // Rolled back to its savepoint alone (and the savepoint closed); the others carry on.
          savepoint.rollback.run();
          savepoint.release.run();
          appends.memberRolledBack();
        } catch {
          // The savepoint could not be undone (it never opened, or SQLite failed): nothing of
          // the group can be trusted, so all of it is rolled back, this member with it.
          m.done = true;
          throw new SharedTransactionLost(err);
        }
        m.reject(err);
      }
    }
  }

  private record(group: Group): void {
    const ran = group.members.filter((m) => !m.abandoned).length;
    this.stats.groups++;
    this.stats.members += ran;
    this.stats.largest = Math.max(this.stats.largest, ran);
  }
}

/** The shared transaction ended before its COMMIT; `cause` is why. */
class SharedTransactionLost extends Error {
  constructor(override readonly cause: unknown) {
    super('the shared transaction was rolled back', { cause });
  }
}

/** Rejects a member that never ran. */
function settle(member: Member, error: unknown): void {
  clearTimeout(member.timer);
  if (!member.abandoned) member.reject(error);
}

/** Ends a transaction knex could not commit (a deferred constraint keeps it open). */
function rollback(conn: SqliteConnection): void {
  try {
    conn.exec('ROLLBACK');
  } catch {
    // Already ended by SQLite itself: nothing is left to undo.
  }
}
