/**
 * Rate limits an operator sets (docs/security.md, "Rate limits"): a per-tenant override of
 * the deployment's requests per credential per minute, and the request counts that nodes
 * without Redis share through the database (`http/rate-limit-store.ts`).
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 015: `tenants.rate_limit_per_minute` and the shared counters. */
export const rateLimitsMigration: Migration = {
  name: '015_rate_limits',
  async up({ knex, table }) {
    await knex.schema.alterTable(table('tenants'), (t) => {
      // Null: the deployment's PEYVAND_RATE_LIMIT_PER_MINUTE.
      t.integer('rate_limit_per_minute').nullable();
    });
    await knex.schema.createTable(table('rate_limit_counts'), (t) => {
      // The rate-limit key: a hash of the credential (43 characters) or `ip:<address>`.
      t.string('limit_key', 80).notNullable();
      // Start of the minute the count belongs to (epoch ms, aligned to the window).
      t.bigInteger('window_start').notNullable();
      t.bigInteger('hits').notNullable();
      t.primary(['limit_key', 'window_start']);
      t.index(['window_start'], `${table('rate_limit_counts')}_window_ix`);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('rate_limit_counts'));
    await knex.schema.alterTable(table('tenants'), (t) => {
      t.dropColumn('rate_limit_per_minute');
    });
  },
};
