/**
 * The database handle every part of Peyvand receives: a knex instance, the table prefix
 * that lets Peyvand live inside an ERP's own database, and the dialect.
 */
import type { Knex } from 'knex';
import { dialectOf } from './connect.js';
import { ReadConnection } from './read-connection.js';
import { WalCheckpointer, type CheckpointPacing } from './wal-checkpointer.js';
import type { Logger } from 'pino';
import { DEFAULT_GROUP_LIMITS, GroupCommit, runningGroupOf } from './group-commit.js';
import type { Dialect, Executor } from '../plugin/sql.js';
import type { PluginDatabase } from '../plugin/services.js';
import type { RowQuery } from '../plugin/data.js';
import type { CoreTable, CoreTables } from './rows/index.js';

export { readJson, readInt, readBool, isUniqueViolation, type Executor } from '../plugin/sql.js';

/** Database access shared by core and plugins. */
export class Database implements PluginDatabase {
  readonly dialect: Dialect;
  /**
   * SQLite only, once the kernel has migrated: the read-only connection for hot lookups
   * (see read-connection.ts). Undefined elsewhere: those go through knex's pool.
   */
  reader: ReadConnection | undefined;
  /** SQLite only: concurrent write transactions share one COMMIT (see group-commit.ts). */
  readonly groupCommit: GroupCommit | undefined;
  /** SQLite on a file, once started: checkpoints off the serving thread (see wal-checkpointer.ts). */
  checkpointer: WalCheckpointer | undefined;

  constructor(
    /** The knex instance (the host's own when embedded). */
    readonly knex: Knex,
    /** Prefix of every Peyvand table, `crm_` by default. */
    readonly prefix: string = 'crm_',
  ) {
    // At most 12 characters: index names built from the prefix must stay within MySQL's 64.
    if (!/^[a-z][a-z0-9_]{0,11}$/.test(prefix) && prefix !== '') {
      throw new Error(`table prefix "${prefix}" must be 1–12 lower-case letters, digits and underscores`);
    }
    this.dialect = dialectOf(knex);
    // A member waits its turn as long as knex would wait for the pool's connection.
    const queueTimeoutMs = Number(knex.client.config.acquireConnectionTimeout ?? 60_000);
    this.groupCommit = this.dialect === 'sqlite' ? new GroupCommit(knex, { ...DEFAULT_GROUP_LIMITS, queueTimeoutMs }, insertMany) : undefined;
  }

  /** The real name of a Peyvand table: `table('customers')` → `crm_customers`. */
  table(name: string): string {
    return this.prefix + name;
  }

  /**
   * A query on a core table, typed by its row in `CoreTables` (`rows/`): `rows('customers', trx)`
   * is `trx('crm_customers')` whose `first()` is a `CustomerRow | undefined` and whose
   * `update` refuses a column the table has not. On the pool when `executor` is left out.
   * Unscoped, like the knex it wraps: the caller names the tenant.
   */
  rows<T extends CoreTable>(table: T, executor: Executor = this.knex): RowQuery<CoreTables[T]> {
    return executor<CoreTables[T]>(this.prefix + table);
  }

  /**
   * {@link insertMany} into a core table, each row checked against its declaration in
   * `CoreTables` (a misspelt or mistyped column is a compile error, not a failed INSERT).
   */
  insertRows<T extends CoreTable>(table: T, executor: Executor, rows: readonly CoreTables[T][]): Promise<void> {
    return insertMany(executor, this.prefix + table, rows);
  }

  /** Opens the read-only connection (SQLite on a file; a no-op elsewhere or when open). */
  openReader(): void {
    this.reader ??= ReadConnection.open(this.knex);
  }

  /** Closes the read-only connection, if open. */
  closeReader(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  /** Starts the checkpointing thread (SQLite on a file; a no-op elsewhere or when started). */
  async startCheckpoints(logger?: Logger, pacing?: CheckpointPacing): Promise<void> {
    this.checkpointer ??= await WalCheckpointer.start(this.knex, logger, pacing);
  }

  /** Stops the checkpointing thread, if started; the writer checkpoints by itself again. */
  async stopCheckpoints(): Promise<void> {
    await this.checkpointer?.close();
    this.checkpointer = undefined;
  }

  /**
   * Runs `work` in a transaction; resolves once it is committed, rolls it back when it
   * throws. On SQLite it may share the COMMIT with concurrent transactions, each in a
   * savepoint of its own (group-commit.ts): the same promise, one COMMIT for many writes.
   */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.groupCommit ? this.groupCommit.run(work) : this.knex.transaction(work);
  }
}

/**
 * Inserts many rows with multi-row INSERTs, in chunks that stay under every dialect's
 * limits: about 10,000 bound values per statement (PostgreSQL and MySQL allow 65,535,
 * SQLite 32,766) and at most 500 rows. All rows must have the same keys, in the same order.
 *
 * On SQLite the statement is written as `VALUES (…), (…)`: knex writes a SQLite
 * multi-row insert as a compound `SELECT … UNION ALL SELECT …`, which SQLite caps at 500
 * terms and takes about half again as long to prepare and run (measured in `npm run
 * bench`'s bulk scenario). The other dialects get knex's own multi-row insert.
 */
export async function insertMany<Row extends object>(trx: Executor, table: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first) as Array<keyof Row & string>;
  const size = Math.max(1, Math.min(500, Math.floor(10_000 / columns.length)));
  const sqlite = dialectOf(trx) === 'sqlite';
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    if (!sqlite) {
      await trx(table).insert(chunk as Row[]);
      continue;
    }
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const bindings: unknown[] = [];
    for (const row of chunk) for (const column of columns) bindings.push(row[column] ?? null);
    const sql = `insert into ${quoteSqlite(table)} (${columns.map(quoteSqlite).join(', ')}) values ${new Array(chunk.length).fill(tuple).join(', ')}`;
    const group = runningGroupOf(trx);
    // In a group-commit member the statement runs on the group's connection as a prepared
    // statement: knex's building and running of a query was about a quarter of a create's
    // JavaScript (profiled), and these inserts are most of a create's statements.
    if (group) group.connection.prepare(sql).run(...bindings.map(sqliteBinding));
    else await trx.raw(sql, bindings as Knex.RawBinding[]);
  }
}

/** A value as knex's better-sqlite3 client binds it: dates as epoch milliseconds, booleans as 0/1. */
function sqliteBinding(value: unknown): unknown {
  if (value instanceof Date) return value.valueOf();
  if (typeof value === 'boolean') return Number(value);
  return value;
}

/**
 * Appends rows to `table` as part of the transaction `trx`: in a SQLite group commit they are
 * inserted with the group's other members' rows just before its COMMIT (deferred-appends.ts
 * says why); anywhere else at once. Whoever later reads, deletes or rewrites rows of that
 * table in the same transaction calls {@link flushAppends} first.
 */
export async function insertAtCommit(trx: Executor, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  const group = runningGroupOf(trx);
  if (group) group.appends.add(table, rows);
  else await insertMany(trx, table, rows);
}

/** Inserts now the rows {@link insertAtCommit} holds back for `table` in this transaction, if any. */
export async function flushAppends(trx: Executor, table: string): Promise<void> {
  await runningGroupOf(trx)?.appends.flush(table, (name, rows) => insertMany(trx, name, rows));
}

/** A SQLite identifier in double quotes. */
function quoteSqlite(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `items` in consecutive slices of at most `size` (for IN lists under the bind limits). */
export function chunked<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
