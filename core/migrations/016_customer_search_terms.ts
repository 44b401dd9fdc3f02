/**
 * PostgreSQL only: the customer search moves from a tsvector per customer under GIN to a
 * terms table with B-trees keyed by each term's first letters in customer order, so a
 * search stops at the page instead of collecting every match of a common prefix (see
 * `customers/search-index/postgres-sql.ts`). The terms are copied over in SQL, both ways.
 * A database created after this change already has the terms table (migration 002 builds
 * the index as it is now), so `up` only converts a database that still has the tsvector.
 * SQLite and MySQL keep their indexes as they are.
 */
import type { Migration } from '../db/migrator.js';
import { createTermsIndex } from '../customers/search-index/postgres.js';
import { termsTable } from '../customers/search-index/postgres-sql.js';
import { copyTsvectorToTerms, createTsvectorFromTerms, dropTsvectorIndex, hasTsvectorIndex } from '../customers/search-index/postgres-tsvector.js';

/** Core migration 016: the PostgreSQL customer search as ordered B-trees over terms. */
export const customerSearchTermsMigration: Migration = {
  name: '016_customer_search_terms',
  async up({ dialect, knex, prefix }) {
    if (dialect !== 'postgres' || !(await hasTsvectorIndex(knex, prefix))) return;
    await createTermsIndex(knex, prefix);
    await copyTsvectorToTerms(knex, prefix);
    await dropTsvectorIndex(knex, prefix);
    // The planner picks the walks by the heads' statistics; give it them now.
    await knex.raw('analyze ??', [termsTable(prefix)]);
  },
  async down({ dialect, knex, prefix }) {
    if (dialect !== 'postgres') return;
    await createTsvectorFromTerms(knex, prefix);
    await knex.schema.dropTableIfExists(termsTable(prefix));
  },
};
