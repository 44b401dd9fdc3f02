/**
 * The ERP's orders and invoices as a read model (`core/orders/`). Rows are keyed by the
 * ERP's reference (`source`, `external_id`), which is what every write looks them up by.
 * The customer's own ref is kept next to the resolved id, so a document that arrived
 * before its customer can be linked by a later write.
 */
import type { Migration } from '../db/migrator.js';

/** Core migration 008: orders, their lines, invoices. */
export const ordersMigration: Migration = {
  name: '008_orders',
  async up({ knex, table }) {
    await knex.schema.createTable(table('orders'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36);
      t.string('customer_source', 64);
      t.string('customer_external_id', 128);
      t.string('source', 64).notNullable();
      t.string('external_id', 128).notNullable();
      t.string('number', 100).notNullable();
      t.string('status', 16).notNullable();
      t.string('currency', 3).notNullable();
      t.bigInteger('total').notNullable();
      t.bigInteger('placed_at').notNullable();
      t.bigInteger('paid_at');
      t.bigInteger('delivered_at');
      t.bigInteger('returned_at');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.integer('version').notNullable();
      t.unique(['tenant_id', 'source', 'external_id'], { indexName: table('orders_ref') });
      // The customer card (recent orders) and the API's customer filter, newest first.
      t.index(['tenant_id', 'customer_id', 'placed_at'], table('orders_customer'));
      // Analytics and the status filter: paid orders by time.
      t.index(['tenant_id', 'status', 'paid_at'], table('orders_status'));
      // Plugins back-filling their projections read by (updated_at, id).
      t.index(['tenant_id', 'updated_at', 'id'], table('orders_updated'));
    });
    await knex.schema.createTable(table('order_lines'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('order_id', 36).notNullable();
      t.integer('position').notNullable();
      t.string('product_ref', 128);
      t.string('sku', 128);
      t.string('name', 300).notNullable();
      // Quantities may be fractional (kilograms, metres); 4 decimals cover every ERP's UoM rounding.
      t.decimal('quantity', 18, 4).notNullable();
      t.bigInteger('unit_price').notNullable();
      t.decimal('returned_quantity', 18, 4).notNullable().defaultTo(0);
      t.index(['order_id', 'position'], table('order_lines_order'));
    });
    await knex.schema.createTable(table('invoices'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36);
      t.string('customer_source', 64);
      t.string('customer_external_id', 128);
      t.string('source', 64).notNullable();
      t.string('external_id', 128).notNullable();
      t.string('number', 100).notNullable();
      t.string('order_ref', 128);
      t.string('order_id', 36);
      t.string('currency', 3).notNullable();
      t.bigInteger('amount').notNullable();
      t.bigInteger('issued_at').notNullable();
      t.bigInteger('due_at').notNullable();
      // What the API shows: the ERP's status, or `overdue` once the scheduler claimed it.
      t.string('status', 16).notNullable();
      // The status the ERP last sent: an ERP that never says "overdue" keeps sending "issued".
      t.string('erp_status', 16).notNullable();
      // The overdue scheduler's claim (a token): set once per due date, with its event.
      t.string('overdue_claim', 36);
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.integer('version').notNullable();
      t.unique(['tenant_id', 'source', 'external_id'], { indexName: table('invoices_ref') });
      t.index(['tenant_id', 'customer_id', 'status'], table('invoices_customer'));
      // The scheduler's scan: unpaid invoices by due date.
      t.index(['erp_status', 'due_at'], table('invoices_due'));
    });
  },
  async down({ knex, table }) {
    for (const name of ['invoices', 'order_lines', 'orders']) await knex.schema.dropTableIfExists(table(name));
  },
};
