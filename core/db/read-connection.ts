/**
 * A read-only SQLite connection beside knex's single writer, for the hot lookups of every
 * request (a customer by id, the auth epoch, an API key on a cache miss). With knex's
 * one connection a read waits for any transaction another request holds open; in WAL
 * mode readers never wait for the writer, and each statement here runs in its own
 * snapshot of the last commit, so a read after a committed write sees it. Statements are
 * prepared once and run synchronously: no query building, no pool, no promise per query.
 */
import path from 'node:path';
import Sqlite, { type Statement } from 'better-sqlite3';

type SqliteDatabase = InstanceType<typeof Sqlite>;
import type { Knex } from 'knex';

const MAX_STATEMENTS = 64;

/**
 * The absolute path of the file a better-sqlite3 knex instance works on; undefined for
 * another dialect or an in-memory database (a second connection would see another
 * database). The rule for every side connection beside knex's writer.
 */
export function sqliteFileOf(knex: Knex): string | undefined {
  const config = knex.client.config as { client?: unknown; connection?: { filename?: unknown } };
  const file = config.connection?.filename;
  if (config.client !== 'better-sqlite3' || typeof file !== 'string' || file === '' || file === ':memory:' || file.startsWith('file:')) return undefined;
  return path.resolve(file);
}

/** Prepared statements on a read-only connection to the writer's database file. */
export class ReadConnection {
  private readonly statements = new Map<string, Statement>();

  private constructor(private readonly conn: SqliteDatabase) {}

  /**
   * Opens a reader on the file of a better-sqlite3 knex instance; undefined for another
   * dialect, an in-memory database (a second connection would see another database) or a
   * file that cannot be opened yet (the caller keeps using knex).
   */
  static open(knex: Knex): ReadConnection | undefined {
    const file = sqliteFileOf(knex);
    if (!file) return undefined;
    try {
      const conn = new Sqlite(file, { readonly: true, fileMustExist: true });
      conn.pragma('busy_timeout = 5000');
      return new ReadConnection(conn);
    } catch {
      return undefined;
    }
  }

  /** The first row of `sql` with `params`, or undefined. */
  get<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  /** Every row of `sql` with `params`. */
  all<Row = Record<string, unknown>>(sql: string, ...params: unknown[]): Row[] {
    return this.statement(sql).all(...params) as Row[];
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      // The hot lookups are a handful of fixed texts (a team scope adds one per team count).
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      statement = this.conn.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.conn.close();
  }
}
