/**
 * A fresh database holding only the customer search index (`crm_` prefix), for the tests
 * of the search migrations: the index, and the migration context that converts it.
 */
import type { Knex } from 'knex';
import type { Dialect } from '../../core/plugin/sql.js';
import { searchIndexFor } from '../../core/customers/search-index/index.js';
import { freshKnex } from './database.js';

/** The table prefix of {@link freshSearchIndex}. */
export const PREFIX = 'crm_';

/** A new database with the search index's tables for its dialect. */
export async function freshSearchIndex(t: { teardown(fn: () => Promise<void> | void): void }) {
  const { knex, dialect } = await freshKnex(t);
  const index = searchIndexFor(dialect);
  const ctx: { knex: Knex; dialect: Dialect; prefix: string; table: (name: string) => string } = { knex, dialect, prefix: PREFIX, table: (name) => `${PREFIX}${name}` };
  await index.up(knex, PREFIX);
  return { knex, dialect, index, ctx };
}
