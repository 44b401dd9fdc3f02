/**
 * PostgreSQL: a terms table, one row per (tenant, customer, term), with B-trees that key
 * each term by its first 1, 2, 3 and 6 letters in customer order, so that a search walks
 * the newest matches first and stops at the page (the SQL and why: `postgres-sql.ts`).
 *
 * Terms are `text COLLATE "C"`: compared byte for byte, whatever the database's locale,
 * as the caller normalized them. Prefix tests are `starts_with`, never LIKE, so `%`, `_`
 * and `\` in a token are ordinary characters. `customer_id` has the type and collation of
 * the customers table's id, so the walk's order is the list's order (id desc).
 *
 * Until migration 016 this was a tsvector per customer under a GIN index
 * (`postgres-tsvector.ts`): GIN answers a prefix with every match, which at a million
 * customers cost 80 ms for common prefixes before the newest fifty could be picked.
 */
import type { Knex } from 'knex';
import { chunked } from '../../db/database.js';
import type { SearchIndex } from './search-index-types.js';
import { indexTerms } from './terms.js';
import { HEADS, matchingSql, orderedHitsSql, PLANNER_SETTINGS, termsTable } from './postgres-sql.js';
import { dropTsvectorIndex } from './postgres-tsvector.js';

/** Creates the terms table and its indexes (fresh databases, and migration 016). */
export async function createTermsIndex(knex: Knex, prefix: string): Promise<void> {
  const table = termsTable(prefix);
  await knex.schema.createTable(table, (t) => {
    t.string('tenant_id', 36).notNullable();
    t.string('customer_id', 36).notNullable();
    t.specificType('term', 'text collate "C"').notNullable();
    // put/remove and nothing else: they find a customer's rows without knowing its terms.
    t.index(['tenant_id', 'customer_id'], `${table}_customer`);
  });
  for (const head of HEADS) await createHeadIndex(knex, prefix, head);
}

/**
 * The walk index of the terms' first `head` letters (see `postgres-sql.ts`). `term` is
 * included so that the walk is index-only: the letters past the head are checked in the
 * index, and PostgreSQL's planner will not scan an expression index without the heap
 * unless every column the expression reads is in it.
 */
export async function createHeadIndex(knex: Knex, prefix: string, head: (typeof HEADS)[number]): Promise<void> {
  const table = termsTable(prefix);
  const partial = head === 6 ? ' where char_length(term) >= 6' : '';
  await knex.raw(`create index ?? on ?? (tenant_id, left(term, ${head}), customer_id) include (term)${partial}`, [`${table}_head${head}`, table]);
}

/** The PostgreSQL (terms table + head B-trees) search index. */
export const postgresSearchIndex: SearchIndex = {
  up(knex, prefix) {
    return createTermsIndex(knex, prefix);
  },

  async down(knex, prefix) {
    await knex.schema.dropTableIfExists(termsTable(prefix));
    // A database rolled back through migration 016 holds the older index instead.
    await dropTsvectorIndex(knex, prefix);
  },

  put(db, prefix, entry) {
    return postgresSearchIndex.putMany(db, prefix, [entry]);
  },

  async putMany(db, prefix, entries, options = {}) {
    const rows: Array<{ tenant_id: string; customer_id: string; term: string }> = [];
    for (const entry of entries) {
      if (!options.isNew) await postgresSearchIndex.remove(db, prefix, entry.tenantId, entry.customerId);
      for (const term of indexTerms(entry.fields)) rows.push({ tenant_id: entry.tenantId, customer_id: entry.customerId, term });
    }
    for (const chunk of chunked(rows, 1000)) await db(termsTable(prefix)).insert(chunk);
  },

  async remove(db, prefix, tenantId, customerId) {
    await db(termsTable(prefix)).where({ tenant_id: tenantId, customer_id: customerId }).delete();
  },

  matching(db, prefix, tenantId, queryTokens) {
    const sql = matchingSql(prefix, tenantId, queryTokens);
    if (!sql) return null;
    return db.select('m.customer_id').from(db.raw(`(${sql.sql}) as m`, sql.bindings));
  },

  page(db, customers, prefix, tenantId, queryTokens, { beforeId, limit }) {
    const hits = orderedHitsSql(prefix, tenantId, queryTokens, beforeId);
    if (!hits) return null;
    const table = `${prefix}customers`;
    return db.transaction(async (trx) => {
      await trx.raw(PLANNER_SETTINGS);
      // Each hit, in the walk's order, looked up in the caller's query (its tenant, scope and
      // filters). LATERAL … LIMIT 1 keeps PostgreSQL from flattening the lookup into a join
      // that walks the customers instead, which for a rare prefix meant all of them.
      const lookup = customers.clone().transacting(trx).whereRaw('??.?? = h.customer_id', [table, 'id']).limit(1);
      return trx
        .select('c.*')
        .from(trx.raw(`(${hits.sql}) as h cross join lateral (?) as c`, [...hits.bindings, lookup]))
        .orderBy('h.customer_id', 'desc')
        .limit(limit);
    });
  },
};
