/**
 * PostgreSQL only: walk indexes for the first 1 and 2 letters of each search term, beside
 * the 3- and 6-letter ones of migration 016, so that a short query token («sara.j»,
 * «سپیده فر») is walked in customer order like the others instead of being checked by an
 * index probe per customer the other walks meet (see `customers/search-index/postgres-sql.ts`).
 * A database created after this change already has them (migration 002 builds the index
 * as it is now), as has one that went through 016's conversion; `up` adds what is missing.
 * SQLite and MySQL keep their indexes as they are.
 */
import type { Migration } from '../db/migrator.js';
import { createHeadIndex } from '../customers/search-index/postgres.js';
import { termsTable } from '../customers/search-index/postgres-sql.js';

const SHORT_HEADS = [2, 1] as const;

const indexName = (prefix: string, head: number): string => `${termsTable(prefix)}_head${head}`;

/** Core migration 017: the 1- and 2-letter head indexes of the PostgreSQL customer search. */
export const customerSearchShortHeadsMigration: Migration = {
  name: '017_customer_search_short_heads',
  async up({ dialect, knex, prefix }) {
    if (dialect !== 'postgres') return;
    for (const head of SHORT_HEADS) {
      const exists = await knex.raw('select to_regclass(?) as oid', [indexName(prefix, head)]);
      if (exists.rows[0].oid === null) await createHeadIndex(knex, prefix, head);
    }
    await knex.raw('analyze ??', [termsTable(prefix)]);
  },
  async down({ dialect, knex, prefix }) {
    if (dialect !== 'postgres') return;
    for (const head of SHORT_HEADS) await knex.raw('drop index if exists ??', [indexName(prefix, head)]);
  },
};
