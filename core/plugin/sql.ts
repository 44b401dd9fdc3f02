/**
 * What every SQL-touching module shares: the dialects, the executor type, and readers
 * for column values that drivers return differently (SQLite text JSON, MySQL 0/1
 * booleans, PostgreSQL bigint strings).
 */
import type { Knex } from 'knex';

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
 * Runs a whole transaction again (up to `attempts` times in all) when the database chose it
 * as a deadlock victim. Only for work that is idempotent as a whole: the aborted attempt
 * left nothing behind, and the next one reads afresh.
 */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (err) {
      if (attempt >= attempts || !isDeadlock(err)) throw err;
    }
  }
}

/** Whether an error is a unique-constraint violation, on any dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}
