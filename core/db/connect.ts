/**
 * Turns a `DATABASE_URL` into a knex instance. SQLite is the embedded default
 * (better-sqlite3, WAL); PostgreSQL and MySQL/MariaDB are for production and for living
 * inside the ERP's own database.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { BootError } from '../plugin/errors.js';

import type { Dialect } from '../plugin/sql.js';

export type { Dialect } from '../plugin/sql.js';

import { DEFAULT_DATABASE_URL, redactUrl } from './database-url.js';

export { DEFAULT_DATABASE_URL, redactUrl } from './database-url.js';

/** Which dialect a knex instance speaks. */
export function dialectOf(knex: Knex): Dialect {
  const client = String(knex.client.config.client ?? '');
  if (client === 'better-sqlite3' || client === 'sqlite3') return 'sqlite';
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') return 'postgres';
  if (client === 'mysql' || client === 'mysql2') return 'mysql';
  throw new BootError('CONFIG_INVALID', undefined, `unsupported knex client "${client}"`);
}

/**
 * How long a statement waits for a lock another transaction holds before the database
 * refuses it: PostgreSQL's `lock_timeout` (unbounded by default: one forgotten
 * transaction would hold every request behind it until the client's own timeout) and
 * MariaDB's `innodb_lock_wait_timeout` (50 s by default, five times over when a write is
 * retried). Refused, the write is retried as a busy conflict (`retryOnDeadlock`: five
 * attempts, so at most about 25 s, within the server's 30 s request timeout), then
 * answered 503 `DATABASE_BUSY` with `Retry-After`. SQLite's `busy_timeout` is the same
 * bound for the file's write lock.
 */
export const DEFAULT_LOCK_WAIT_MS = 5_000;

/** Connection settings beside the URL. */
export interface ConnectOptions {
  /** See {@link DEFAULT_LOCK_WAIT_MS} (its default when undefined); MariaDB counts whole seconds (at least 1). */
  lockWaitMs?: number | undefined;
}

type SessionConnection = { query(sql: string, cb: (err: Error | null) => void): void };

/** Runs `statements` one after another on a new pooled connection, then hands it to the pool. */
function sessionSetup(statements: string[]) {
  return (conn: SessionConnection, done: (err: Error | null, conn: unknown) => void): void => {
    const next = (i: number): void => {
      if (i === statements.length) return done(null, conn);
      conn.query(statements[i]!, (err) => (err ? done(err, conn) : next(i + 1)));
    };
    next(0);
  };
}

/** Knex configuration for a database URL (`sqlite:<file>`, `postgres://…`, `mysql://…`). */
export function knexConfigFor(url: string, options: ConnectOptions = {}): Knex.Config {
  const lockWaitMs = Math.max(1, Math.round(options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS));
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return {
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      // Fail fast: with one connection, a wait this long means a query ran outside its transaction.
      acquireConnectionTimeout: 10_000,
      // One connection: better-sqlite3 is synchronous, and a single writer avoids
      // SQLITE_BUSY between pooled connections of the same process.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma(`busy_timeout = ${lockWaitMs}`);
          cacheStatements(conn);
          done(null, conn);
        },
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { client: 'pg', connection: url, pool: { min: 0, max: 10, afterCreate: sessionSetup([`SET lock_timeout = ${lockWaitMs}`]) } };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
    return {
      client: 'mysql2',
      connection: {
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : 3306,
        user: decodeURIComponent(parsed.username),
        password: decodeURIComponent(parsed.password),
        database: parsed.pathname.replace(/^\//, ''),
        charset: 'utf8mb4',
        // Store and read UTC; knex hands Date objects through mysql2.
        timezone: 'Z',
        supportBigNumbers: true,
      },
      pool: {
        min: 0,
        max: 10,
        // READ COMMITTED: no gap locks on scans, so concurrent writers (outbox inserts,
        // derived-row rewrites) do not wait on each other as they do under REPEATABLE READ.
        afterCreate: sessionSetup(['SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', `SET SESSION innodb_lock_wait_timeout = ${Math.ceil(lockWaitMs / 1000)}`]),
      },
    };
  }
  throw new BootError('CONFIG_INVALID', undefined, `DATABASE_URL "${redactUrl(url)}" is not sqlite:, postgres:// or mysql://`);
}

/** The part of a better-sqlite3 connection the pool hook touches. */
interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/** Statements that name a savepoint, each text used once. */
const SAVEPOINT_STATEMENT = /^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) /;

/** Compiled statements kept per connection; the oldest is dropped beyond this. */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * Keeps the connection's compiled statements for reuse. knex prepares every query it
 * runs, and compiling the SQL was a tenth of the CPU time of a `GET /customers/{id}` and
 * of a bulk import (profiled with `bench/profile.ts`); the same few hundred query shapes
 * run over and over. Reuse is safe: knex runs a statement to completion synchronously
 * (`all`/`run`, never an open iterator), and SQLite recompiles a cached statement by
 * itself when the schema changes under it.
 */
function cacheStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    // knex names every savepoint afresh (`SAVEPOINT trx42`): a group commit runs two per write,
    // and caching them would only push the statements that do repeat out of the cache.
    if (SAVEPOINT_STATEMENT.test(sql)) return prepare(sql);
    let statement = cache.get(sql);
    if (statement !== undefined) {
      // Re-inserting keeps the Map in least-recently-used order.
      cache.delete(sql);
    } else {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, statement);
    return statement;
  };
}

/** Opens a knex instance for a database URL. */
export function connect(url: string = DEFAULT_DATABASE_URL, options: ConnectOptions = {}): Knex {
  return knexFactory(knexConfigFor(url, options));
}
