/** The claims table: one row per claim, owned by whoever opened it. */
import type { Migration } from 'peyvand/plugin';

/** Creates `warranty_claims` (prefixed by the deployment, e.g. `crm_warranty_claims`). */
export const claimsMigration: Migration = {
  name: '001_claims',
  async up({ knex, table }) {
    await knex.schema.createTable(table('warranty_claims'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      // The ERP's product, as the ERP names it (`odoo:product.product/42`).
      t.string('product_ref', 200).notNullable();
      t.string('serial_number', 100);
      t.text('problem').notNullable();
      t.string('status', 16).notNullable();
      t.text('resolution');
      t.string('owner_id', 200).notNullable();
      t.string('team_id', 200);
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'status', 'id'], `${table('warranty_claims')}_t_status_ix`);
      t.index(['tenant_id', 'customer_id'], `${table('warranty_claims')}_t_customer_ix`);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('warranty_claims'));
  },
};
