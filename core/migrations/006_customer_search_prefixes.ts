/**
 * SQLite only: rebuilds the customer search's FTS5 table with prefix indexes (see
 * `customers/search-index/sqlite.ts`), refilled from the customers. FTS5 cannot add them
 * to an existing table, and the table keeps no text to rebuild from (contentless), so the
 * terms are derived again from each customer, as every write derives them. Doc ids are
 * kept. PostgreSQL and MySQL keep their indexes as they are.
 */
import type { Migration, MigrationContext } from '../db/migrator.js';
import { insertMany } from '../db/database.js';
import { customerFromRow } from '../customers/customer-types.js';
import { searchFieldsOf } from '../customers/identities.js';
import { indexTerms } from '../customers/search-index/terms.js';
import { createFts, ftsText } from '../customers/search-index/sqlite.js';

const BATCH = 1000;

async function rebuild({ knex, table, prefix }: MigrationContext, prefixIndexes: boolean): Promise<void> {
  await knex.raw('drop table if exists ??', [table('customer_search')]);
  await createFts(knex, prefix, prefixIndexes);
  // Keyset over doc ids: each batch is one index range, however big the table.
  for (let after = 0; ; ) {
    const rows = await knex(`${table('customer_search_docs')} as d`)
      .join(`${table('customers')} as c`, 'c.id', 'd.customer_id')
      .where('d.doc_id', '>', after)
      .orderBy('d.doc_id')
      .limit(BATCH)
      .select('d.doc_id', 'd.tenant_id as doc_tenant', 'c.*');
    if (rows.length === 0) break;
    const fts = rows.map((r) => ({ rowid: Number(r.doc_id), terms: ftsText(String(r.doc_tenant), indexTerms(searchFieldsOf(customerFromRow(r)))) }));
    await insertMany(knex, table('customer_search'), fts.filter((r) => r.terms !== ''));
    after = Number(rows[rows.length - 1]!.doc_id);
  }
  // Merge the segments written batch by batch into one, as a freshly built index should be.
  await knex.raw('insert into ??(??) values (?)', [table('customer_search'), table('customer_search'), 'optimize']);
}

/** Core migration 006: prefix indexes for the SQLite customer search. */
export const customerSearchPrefixesMigration: Migration = {
  name: '006_customer_search_prefixes',
  async up(ctx) {
    if (ctx.dialect === 'sqlite') await rebuild(ctx, true);
  },
  async down(ctx) {
    if (ctx.dialect === 'sqlite') await rebuild(ctx, false);
  },
};
