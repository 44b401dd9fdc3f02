/**
 * What every SQL-touching module shares: the dialects, the executor type, and readers
 * for column values that drivers return differently (SQLite text JSON, MySQL 0/1
 * booleans, PostgreSQL bigint strings).
 */
import type { Knex } from 'knex';
import { backoffDelay } from './backoff.js';

/** The supported database dialects. */
export type Dialect = 'sqlite' | 'postgres' | 'mysql';

/** A knex instance or a transaction on it. */
export type Executor = Knex | Knex.Transaction;

/** Parses a JSON text column (SQLite returns text; drivers of other dialects may already parse). */
export function readJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}

/** Reads a BIGINT column that drivers may return as a string. */
export function readInt(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Reads a boolean column (SQLite and MySQL return 0/1). */
export function readBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** Whether PostgreSQL (40P01) or MySQL/MariaDB (1213) aborted the transaction to break a deadlock. */
export function isDeadlock(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown } | undefined;
  return e?.code === '40P01' || e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213;
}

/**
 * Whether the database refused the transaction only because concurrent transactions held
 * what it needed, so that running the whole transaction again can succeed: a deadlock
 * victim ({@link isDeadlock}), a PostgreSQL serialization failure (40001, under REPEATABLE
 * READ or SERIALIZABLE), or a lock wait that timed out: PostgreSQL's `lock_timeout`
 * (55P03) or MariaDB/MySQL's `innodb_lock_wait_timeout` (1205); see `DEFAULT_LOCK_WAIT_MS`
 * in core/db/connect.ts. The error may be wrapped (`cause`, objection's `nativeError`).
 */
export function isBusyConflict(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err as { code?: unknown; errno?: unknown; cause?: unknown; nativeError?: unknown } | undefined; e && typeof e === 'object' && !seen.has(e); e = (e.nativeError ?? e.cause) as typeof e) {
    seen.add(e);
    if (isDeadlock(e) || e.code === '40001' || e.code === '55P03' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205) return true;
  }
  return false;
}

/** The waits between attempts of {@link retryOnDeadlock}: short, doubling, spread so that the transactions that collided do not collide again. */
const RETRY_BACKOFF = { baseMs: 15, maxMs: 250, jitter: 0.5 } as const;

/**
 * Runs a whole transaction again (up to `attempts` times in all) when the database refused
 * it for concurrent transactions ({@link isBusyConflict}: a deadlock victim, a
 * serialization failure, a lock wait timeout), after a short jittered wait
 * ({@link backoffDelay} from 15 ms). Only for work that is idempotent as a whole: the
 * aborted attempt left nothing behind, and the next one reads afresh — never inside a
 * caller's transaction, which the database has aborted too. The last attempt's error
 * reaches the caller; at the HTTP layer it answers 503 `DATABASE_BUSY` with `Retry-After`.
 */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (err) {
      if (attempt >= attempts || !isBusyConflict(err)) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, RETRY_BACKOFF)));
  }
}

/** Whether an error is a unique-constraint violation, on any dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}
