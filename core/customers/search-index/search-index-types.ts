/** The shapes of the customer search index, shared by its per-dialect implementations. */
import type { Knex } from 'knex';
import type { CustomerRow } from '../../db/rows/customers.js';
import type { RowQuery } from '../../plugin/data.js';

/** A `customers` row found by {@link SearchIndex.ranked}, with its rank in the index. */
export type RankedCustomerRow = CustomerRow & { search_rank: number };

/** One customer's entry: what `put` indexes. */
export interface SearchEntry {
  tenantId: string;
  customerId: string;
  /** One token list per field (name, each email, each phone key…), already normalized. */
  fields: string[][];
}

/** The customer search index of one dialect. */
export interface SearchIndex {
  /** Creates the index structures (called from a migration's up). */
  up(knex: Knex, prefix: string): Promise<void>;
  /** Drops them (migration down). Dropping what does not exist is not an error. */
  down(knex: Knex, prefix: string): Promise<void>;
  /**
   * Replaces everything indexed for one customer (idempotent). `fields` is one token list
   * per field. Runs inside the caller's transaction when given one. A customer with no
   * tokens left is found by no search.
   */
  put(db: Knex | Knex.Transaction, prefix: string, entry: SearchEntry): Promise<void>;
  /**
   * {@link put} for many customers in a few multi-row statements (bulk import). With
   * `isNew` the caller promises none of them is indexed yet, so nothing is looked up or
   * deleted first.
   */
  putMany(db: Knex | Knex.Transaction, prefix: string, entries: readonly SearchEntry[], options?: { isNew?: boolean }): Promise<void>;
  /** Removes one customer from the index; removing one that is not there is a no-op. */
  remove(db: Knex | Knex.Transaction, prefix: string, tenantId: string, customerId: string): Promise<void>;
  /**
   * Moves nothing itself; returns a subquery selecting `customer_id` of this tenant's
   * customers matching ALL query tokens as prefixes (or, for 2+ tokens, their
   * concatenation as one prefix), or null when `queryTokens` has nothing searchable.
   * The column is `varchar(36)` on PostgreSQL and `char(36)` on MySQL, like the customers' id.
   *
   * Typed as a query builder only (every dialect builds one): knex's `whereIn` overloads
   * accept a `QueryBuilder` but not a `QueryBuilder | Raw` union.
   */
  matching(db: Knex | Knex.Transaction, prefix: string, tenantId: string, queryTokens: string[]): Knex.QueryBuilder | null;
  /**
   * Optional, where the index can hand out hits newest first and stop at a page (SQLite):
   * narrows `customers` — a query over the customers table with the caller's tenant,
   * scope and filters — to the matches, ordered by index rank, newest customer first, and
   * adds the rank as column `search_rank`. `after` continues after a rank, or after the
   * rank of a customer id (a cursor from before ranks). Null when nothing is searchable.
   * Without it or {@link page}, callers filter with {@link matching} and order by id.
   */
  ranked?(customers: RowQuery<CustomerRow>, prefix: string, tenantId: string, queryTokens: string[], after?: number | string): Knex.QueryBuilder<CustomerRow, RankedCustomerRow[]> | null;
  /**
   * Optional, where the index can hand out hits newest first and stop at a page
   * (PostgreSQL): the first `limit` rows of `customers` — as for {@link ranked} — that
   * match, ordered by customer id descending (the list's order), below `beforeId` when
   * given. Runs in a transaction of its own on `db`. Null when nothing is searchable.
   */
  page?(db: Knex, customers: Knex.QueryBuilder, prefix: string, tenantId: string, queryTokens: string[], options: { beforeId?: string; limit: number }): Promise<CustomerRow[]> | null;
}
