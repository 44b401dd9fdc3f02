/**
 * The loyalty tables: program per tenant, accounts (a per-customer lock row plus tier,
 * stage and referral state), the append-only ledger, the schedule of due work (lot
 * expiry, tier reviews), rewards and redemptions, and the plugin's own projection of
 * paid orders for the SQL analytics.
 */
import type { Migration } from '../../../core/plugin/index.js';

const TABLES = ['loyalty_orders', 'loyalty_redemptions', 'loyalty_rewards', 'loyalty_schedule', 'loyalty_ledger', 'loyalty_accounts', 'loyalty_programs'];

export const loyaltyMigration: Migration = {
  name: '001_loyalty',
  async up({ knex, table, dialect }) {
    // Short explicit index names: MySQL caps identifiers at 64 characters, prefix included.
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}`;
    const longText = dialect === 'mysql' ? 'mediumtext' : undefined;
    await knex.schema.createTable(table('loyalty_programs'), (t) => {
      t.string('tenant_id', 36).primary();
      t.text('config', longText).notNullable();
      t.integer('version').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
    await knex.schema.createTable(table('loyalty_accounts'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      t.string('tier_key', 64);
      t.bigInteger('tier_since');
      t.string('stage', 32);
      t.string('referral_code', 16);
      t.string('referred_by', 36);
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['tenant_id', 'customer_id']);
      t.unique(['tenant_id', 'referral_code'], { indexName: ix('loyalty_accounts', 'ref_uq') });
    });
    await knex.schema.createTable(table('loyalty_ledger'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      t.string('type', 10).notNullable();
      t.bigInteger('points').notNullable();
      t.string('reason', 200).notNullable();
      t.string('source_type', 20).notNullable();
      t.string('source_id', 200);
      // What makes a write happen once: `earn:<orderId>`, `expire:<lotId>`, `adjust:<Idempotency-Key>`…
      t.string('idem_key', 250).notNullable();
      t.string('lot_id', 36);
      t.bigInteger('at').notNullable();
      t.bigInteger('effective_at').notNullable();
      t.bigInteger('unlock_at');
      t.bigInteger('expires_at');
      t.text('detail');
      t.unique(['tenant_id', 'idem_key'], { indexName: ix('loyalty_ledger', 'idem_uq') });
      t.index(['tenant_id', 'customer_id', 'id'], ix('loyalty_ledger', 'cust_ix'));
      t.index(['tenant_id', 'source_type', 'source_id'], ix('loyalty_ledger', 'src_ix'));
    });
    await knex.schema.createTable(table('loyalty_schedule'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      t.string('kind', 16).notNullable();
      t.string('ref_id', 36);
      t.bigInteger('due_at').notNullable();
      t.index(['due_at'], ix('loyalty_schedule', 'due_ix'));
      t.index(['tenant_id', 'customer_id', 'kind'], ix('loyalty_schedule', 'cust_ix'));
    });
    await knex.schema.createTable(table('loyalty_rewards'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.bigInteger('cost').notNullable();
      t.integer('stock');
      t.string('tier', 64);
      t.string('partner', 200);
      t.bigInteger('valid_until');
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'id'], ix('loyalty_rewards', 't_ix'));
    });
    await knex.schema.createTable(table('loyalty_redemptions'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('reward_id', 36).notNullable();
      t.string('customer_id', 36).notNullable();
      t.string('code', 32).notNullable();
      t.string('ledger_id', 36).notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('used_at');
      t.unique(['tenant_id', 'code'], { indexName: ix('loyalty_redemptions', 'code_uq') });
    });
    await knex.schema.createTable(table('loyalty_orders'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('order_id', 36).notNullable();
      t.string('customer_id', 36);
      t.string('currency', 3).notNullable();
      t.bigInteger('total').notNullable();
      t.bigInteger('returned').notNullable();
      t.string('status', 16).notNullable();
      t.bigInteger('placed_at').notNullable();
      t.bigInteger('paid_at');
      t.integer('version').notNullable();
      t.primary(['tenant_id', 'order_id']);
      t.index(['tenant_id', 'customer_id', 'paid_at'], ix('loyalty_orders', 'cust_ix'));
      t.index(['tenant_id', 'paid_at'], ix('loyalty_orders', 'paid_ix'));
    });
  },
  async down({ knex, table }) {
    for (const name of TABLES) await knex.schema.dropTableIfExists(table(name));
  },
};
