/**
 * Pipelines with ordered stages, deals, and each deal's stage history. Instants are
 * epoch milliseconds (BIGINT) like core's; the expected close date is the tenant's local
 * calendar day as `YYYY-MM-DD`, so it sorts and compares as text on every dialect.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const pipelinesDealsMigration: Migration = {
  name: '001_pipelines_deals',
  async up({ knex, table }) {
    // Short explicit index names: MySQL caps identifiers at 64 characters, prefix included.
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    await knex.schema.createTable(table('sales_pipelines'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.string('currency', 3).notNullable();
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'id'], ix('sales_pipelines', 't_id'));
    });
    await knex.schema.createTable(table('sales_stages'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('pipeline_id', 36).notNullable().references('id').inTable(table('sales_pipelines')).onDelete('CASCADE');
      t.string('name', 200).notNullable();
      t.integer('probability').notNullable();
      t.integer('position').notNullable();
      t.index(['tenant_id', 'pipeline_id', 'position'], ix('sales_stages', 't_pipeline_pos'));
    });
    await knex.schema.createTable(table('sales_deals'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('title', 300).notNullable();
      t.string('customer_id', 36).notNullable();
      t.string('pipeline_id', 36).notNullable().references('id').inTable(table('sales_pipelines'));
      t.string('stage_id', 36).notNullable().references('id').inTable(table('sales_stages'));
      t.bigInteger('amount').notNullable();
      t.string('currency', 3).notNullable();
      t.string('expected_close_date', 10);
      t.string('owner_id', 200);
      t.string('team_id', 200);
      t.string('status', 8).notNullable();
      t.string('lost_reason', 1000);
      t.text('line_items').notNullable();
      t.string('lead_id', 36);
      t.bigInteger('stage_entered_at').notNullable();
      t.bigInteger('closed_at');
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      // Lists walk (tenant_id, id) newest first; record scope adds owner or team.
      t.index(['tenant_id', 'id'], ix('sales_deals', 't_id'));
      t.index(['tenant_id', 'owner_id', 'id'], ix('sales_deals', 't_owner_id'));
      t.index(['tenant_id', 'team_id', 'id'], ix('sales_deals', 't_team_id'));
      t.index(['tenant_id', 'customer_id'], ix('sales_deals', 't_customer'));
      // Reports, each answered from its index alone (covering: no table lookups per deal):
      // open value by pipeline and stage; forecast by close date; win rate by close time.
      // 007 widens them with the record-scope columns.
      t.index(['tenant_id', 'status', 'pipeline_id', 'stage_id', 'currency', 'amount'], ix('sales_deals', 't_status_pipeline_stage'));
      t.index(['tenant_id', 'status', 'currency', 'expected_close_date', 'pipeline_id', 'stage_id', 'amount'], ix('sales_deals', 't_status_cur_close'));
      t.index(['tenant_id', 'status', 'closed_at', 'created_at', 'owner_id'], ix('sales_deals', 't_status_closed'));
    });
    await knex.schema.createTable(table('sales_deal_stages'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('deal_id', 36).notNullable().references('id').inTable(table('sales_deals')).onDelete('CASCADE');
      t.string('pipeline_id', 36).notNullable();
      t.string('stage_id', 36).notNullable();
      t.bigInteger('entered_at').notNullable();
      t.bigInteger('left_at');
      t.string('actor', 200).notNullable();
      t.index(['tenant_id', 'deal_id', 'entered_at'], ix('sales_deal_stages', 't_deal_entered'));
    });
  },
  async down({ knex, table }) {
    for (const name of ['sales_deal_stages', 'sales_deals', 'sales_stages', 'sales_pipelines']) await knex.schema.dropTableIfExists(table(name));
  },
};
