/**
 * The database handle every part of Peyvand receives: a knex instance, the table prefix
 * that lets Peyvand live inside an ERP's own database, and the dialect.
 */
import type { Knex } from 'knex';
import { dialectOf, type Dialect } from './connect.js';

/** A knex instance or a transaction on it. */
export type Executor = Knex | Knex.Transaction;

/** Database access shared by core and plugins. */
export class Database {
  readonly dialect: Dialect;

  constructor(
    /** The knex instance (the host's own when embedded). */
    readonly knex: Knex,
    /** Prefix of every Peyvand table, `crm_` by default. */
    readonly prefix: string = 'crm_',
  ) {
    if (!/^[a-z][a-z0-9_]{0,20}$/.test(prefix) && prefix !== '') {
      throw new Error(`table prefix "${prefix}" must be lower-case letters, digits and underscores`);
    }
    this.dialect = dialectOf(knex);
  }

  /** The real name of a Peyvand table: `table('customers')` → `crm_customers`. */
  table(name: string): string {
    return this.prefix + name;
  }

  /** Runs `work` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(work);
  }
}

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

/** Whether an error is a unique-constraint violation, on any dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'ER_DUP_ENTRY' || e?.errno === 1062;
}
