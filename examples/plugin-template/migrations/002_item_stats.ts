/** What the subscriber keeps: the count per tenant, and the events it has already handled. */
import type { Migration } from 'peyvand/plugin';

/** Creates `my_plugin_stats` and `my_plugin_handled_events`. */
export const itemStatsMigration: Migration = {
  name: '002_item_stats',
  async up({ knex, table }) {
    await knex.schema.createTable(table('my_plugin_stats'), (t) => {
      t.string('tenant_id', 36).primary();
      t.integer('items_created').notNullable();
    });
    // One row per event handled: the primary key is what makes a redelivery a no-op.
    await knex.schema.createTable(table('my_plugin_handled_events'), (t) => {
      t.string('event_id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.bigInteger('handled_at').notNullable();
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('my_plugin_handled_events'));
    await knex.schema.dropTableIfExists(table('my_plugin_stats'));
  },
};
