/**
 * The tenant-scoped data layer a plugin receives as `ctx.data`. A query is bound to one
 * tenant when it is made, so the tenant cannot be forgotten: reads, updates and deletes
 * carry `tenant_id = ?` (kept outside any `orWhere` the caller adds), inserts get
 * `tenant_id` set, and every joined table is joined on the same tenant.
 */
import type { Knex } from 'knex';
import type { Dialect } from './sql.js';

/**
 * The row type of each plugin table, by its name without the deployment prefix. Empty
 * here: a plugin adds its tables by declaration merging, next to its migrations —
 * `declare module 'peyvand/plugin' { interface PluginTables { warranty_claims: ClaimRow } }`
 * (a built-in plugin names the module by path, `'../../core/plugin/index.js'`). A row
 * interface lists the columns in snake_case as stored, with the types the drivers of all
 * three databases return: see {@link BigIntColumn}, {@link BoolColumn}, {@link JsonTextColumn}.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface PluginTables {}

/** A table a plugin declared in {@link PluginTables}. */
export type PluginTable = keyof PluginTables & string;

/**
 * A BIGINT column (epoch-millisecond instants, amounts in minor units) or an aggregate
 * (`COUNT`, `SUM`): SQLite and MySQL return a number, PostgreSQL a string. Read with `readInt`.
 */
export type BigIntColumn = number | string;

/** A boolean column: PostgreSQL returns a boolean, SQLite and MySQL 0 or 1. Read with `readBool`. */
export type BoolColumn = boolean | number;

/** JSON kept in a TEXT column: text on every dialect. Read with `readJson`. */
export type JsonTextColumn = string;

/**
 * knex's selection marker for "all columns of `Row`, none picked yet": knex names it
 * `DeferredKeySelection<Row, never>` but does not export it; its conditional types match
 * it by structure, so `first()` yields `Row | undefined`, `select('a', 'b')` a `Pick`.
 */
interface AllColumns<Row> {
  _base: Row;
  _hasSelection: false;
  _keys: never;
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- as knex declares it, or the structures differ
  _aliases: {};
  _single: false;
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- as knex declares it
  _intersectProps: {};
  _unionProps: never;
}

/**
 * A knex query builder over rows of `Row`: results are typed, `update` refuses a column
 * the row has not. Selecting through an alias or a join (`'d.id'`, `customer.name as x`)
 * falls back to knex's untyped result; give such a query its row type with
 * `.select<JoinedRow[]>(…)` / `.first<JoinedRow | undefined>(…)`.
 */
export type RowQuery<Row extends object> = Knex.QueryBuilder<Row, AllColumns<Row>[]>;

/** Queries of one tenant, on the pool or inside one transaction. */
export interface TenantData {
  /** The tenant every query of this scope is bound to. */
  readonly tenantId: string;
  /**
   * This tenant's rows of a table, named without the deployment prefix
   * (`from('sales_deals')`), optionally aliased. Refuses `joinRaw`/`crossJoin` (a join
   * it could not scope) and an insert or update that names another tenant. The table's
   * row type comes from {@link PluginTables}.
   */
  from<T extends PluginTable>(table: T, alias?: string): RowQuery<PluginTables[T]>;
  /**
   * {@link from} for a table not declared in {@link PluginTables}: the same tenant scope,
   * rows untyped (`any`). For code not yet typed; every use is a row the compiler does
   * not check.
   */
  fromUntyped(table: string, alias?: string): Knex.QueryBuilder;
}

/** `ctx.data`: the tenant-scoped query builder of a plugin. */
export interface PluginData {
  readonly dialect: Dialect;
  /**
   * Queries of `tenantId`; with `trx`, inside that transaction, so they commit together
   * with the events (`ctx.events.emit(trx, …)`) and audit entries written through it.
   * Throws when `tenantId` is empty: there is no query without a tenant.
   */
  forTenant(tenantId: string, trx?: Knex.Transaction): TenantData;
  /** Runs `work` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
  /** The real name of a table (`crm_sales_deals`), for qualified column names. */
  table(name: string): string;
  /** A SQL expression for a select list or an order (`COUNT(*) as n`), not a query of its own. */
  raw(sql: string, bindings?: readonly Knex.RawBinding[]): Knex.Raw;
  /** Adds a row lock on PostgreSQL and MySQL; SQLite's single writer serializes anyway. */
  forUpdate<Q extends Knex.QueryBuilder>(query: Q): Q;
}
