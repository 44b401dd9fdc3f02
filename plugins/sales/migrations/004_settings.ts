/** Per-tenant sales settings and the public web-to-lead forms. */
import type { Migration } from '../../../core/plugin/index.js';

export const settingsMigration: Migration = {
  name: '004_settings',
  async up({ knex, table, dialect }) {
    // Short explicit index names: MySQL caps identifiers at 64 characters, prefix included.
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    const longText = dialect === 'mysql' ? 'mediumtext' : undefined;
    await knex.schema.createTable(table('sales_settings'), (t) => {
      t.string('tenant_id', 36).primary();
      t.text('accepted_currencies').notNullable();
      t.text('assignment_rules', longText).notNullable();
      t.text('scoring_rules', longText).notNullable();
      t.integer('version').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await knex.schema.createTable(table('sales_web_forms'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      // The public key in the form's URL: unique across tenants, it names the tenant.
      t.string('form_key', 64).notNullable().unique();
      t.string('name', 200).notNullable();
      t.string('source', 100);
      t.string('owner_id', 200);
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'id'], ix('sales_web_forms', 't_id'));
    });
  },
  async down({ knex, table }) {
    for (const name of ['sales_web_forms', 'sales_settings']) await knex.schema.dropTableIfExists(table(name));
  },
};
