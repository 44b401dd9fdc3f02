/**
 * The tenant-scoped data layer a plugin receives as `ctx.data`. A query is bound to one
 * tenant when it is made, so the tenant cannot be forgotten: reads, updates and deletes
 * carry `tenant_id = ?` (kept outside any `orWhere` the caller adds), inserts get
 * `tenant_id` set, and every joined table is joined on the same tenant.
 */
import type { Knex } from 'knex';
import type { Dialect } from './sql.js';

/** Queries of one tenant, on the pool or inside one transaction. */
export interface TenantData {
  /** The tenant every query of this scope is bound to. */
  readonly tenantId: string;
  /**
   * This tenant's rows of a table, named without the deployment prefix
   * (`from('sales_deals')`), optionally aliased. Refuses `joinRaw`/`crossJoin` (a join
   * it could not scope) and an insert or update that names another tenant.
   */
  from(table: string, alias?: string): Knex.QueryBuilder;
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
  forUpdate(query: Knex.QueryBuilder): Knex.QueryBuilder;
}
