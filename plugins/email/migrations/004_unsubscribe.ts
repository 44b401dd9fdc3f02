/**
 * One-click unsubscribe (RFC 8058) for marketing mail: the tenant's signing key (sealed),
 * one link per marketing message (the recipient it unsubscribes; `used_at` makes it single
 * use), the unsubscribed addresses, and the category and unsubscribe URL of each message.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const unsubscribeMigration: Migration = {
  name: '004_unsubscribe',
  async up({ knex, table }) {
    await knex.schema.createTable(table('email_unsubscribe_keys'), (t) => {
      t.string('tenant_id', 36).primary();
      t.text('sealed_key').notNullable();
      t.bigInteger('created_at').notNullable();
    });
    await knex.schema.createTable(table('email_unsubscribe_links'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('message_id', 36).notNullable();
      t.string('address', 320).notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('used_at');
    });
    await knex.schema.createTable(table('email_unsubscribes'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('address', 320).notNullable();
      t.string('message_id', 36);
      t.bigInteger('created_at').notNullable();
      t.primary(['tenant_id', 'address']);
    });
    await knex.schema.alterTable(table('email_messages'), (t) => {
      t.string('category', 16);
      t.text('list_unsubscribe');
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('email_messages'), (t) => {
      t.dropColumn('category');
      t.dropColumn('list_unsubscribe');
    });
    await knex.schema.dropTable(table('email_unsubscribes'));
    await knex.schema.dropTable(table('email_unsubscribe_links'));
    await knex.schema.dropTable(table('email_unsubscribe_keys'));
  },
};
