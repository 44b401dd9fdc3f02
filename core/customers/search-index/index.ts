/**
 * The customer search index: normalized tokens → customer ids, per tenant, answering
 * "which customers of tenant T match query Q" as a subquery the caller plugs into
 * `whereIn('id', subquery)`. Each dialect keeps it in the structure its engine can search
 * by prefix through an index (see `sqlite.ts`, `postgres.ts`, `mysql.ts`); `terms.ts`
 * holds the rules they share.
 *
 * Semantics, identical on every dialect:
 * - a customer matches when every query token is a prefix of one of its indexed terms;
 * - `put` also indexes each adjacent token pair of a field glued together, and a query of
 *   2+ tokens also accepts a customer with a term starting with all of them glued together,
 *   so «می دانم» and «میدانم» find each other in both directions;
 * - tokens are compared literally and case-sensitively (the caller normalizes): `%`, `*`,
 *   quotes or the words AND/OR/NEAR are just characters, never query syntax;
 * - tokens longer than {@link MAX_TOKEN_CHARS} code points are cut to that length.
 */
import type { Dialect } from '../../db/connect.js';
import { mysqlSearchIndex } from './mysql.js';
import { postgresSearchIndex } from './postgres.js';
import { sqliteSearchIndex } from './sqlite.js';
import type { SearchIndex } from './search-index-types.js';

export { MAX_TOKEN_CHARS } from './terms.js';

export type { SearchEntry, SearchIndex } from './search-index-types.js';

/** The search index implementation for a dialect. */
export function searchIndexFor(dialect: Dialect): SearchIndex {
  switch (dialect) {
    case 'sqlite':
      return sqliteSearchIndex;
    case 'postgres':
      return postgresSearchIndex;
    case 'mysql':
      return mysqlSearchIndex;
  }
}
