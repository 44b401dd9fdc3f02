/** The plugin's table. Every migration has a `down`; a new one takes the next number. */
import type { Migration } from 'peyvand/plugin';

/** Creates `my_plugin_items` (the deployment adds its prefix, e.g. `crm_my_plugin_items`). */
export const itemsMigration: Migration = {
  name: '001_items',
  async up({ knex, table }) {
    await knex.schema.createTable(table('my_plugin_items'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('title', 200).notNullable();
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'id'], `${table('my_plugin_items')}_t_id_ix`);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('my_plugin_items'));
  },
};
