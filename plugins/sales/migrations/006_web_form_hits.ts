/**
 * Submissions per web form and client per one-minute window: the web-to-lead rate limit
 * lives in the database, so every Peyvand process on it counts against one budget. The
 * client is a hash of its address, never the address itself. Rows older than the
 * previous window are deleted as the limiter goes.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const webFormHitsMigration: Migration = {
  name: '006_web_form_hits',
  async up({ knex, table }) {
    const hits = table('sales_web_form_hits');
    await knex.schema.createTable(hits, (t) => {
      t.string('form_id', 36).notNullable();
      t.string('client_key', 64).notNullable();
      /** Start of the window, epoch ms. */
      t.bigInteger('window_start').notNullable();
      t.integer('hits').notNullable();
      t.string('tenant_id', 36).notNullable();
      t.primary(['form_id', 'client_key', 'window_start']);
      // Short explicit name: MySQL caps identifiers at 64 characters, prefix included.
      t.index(['window_start'], `${hits}_window_ix`);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('sales_web_form_hits'));
  },
};
