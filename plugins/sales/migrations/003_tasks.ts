/**
 * Tasks (call, meeting, to-do) with their due and reminder instants. `due_claim` and
 * `reminder_claim` hold the token of the scheduler round that emitted the event: a
 * conditional UPDATE sets them only while they are NULL, so each event is emitted once
 * however many kernels poll the table.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const tasksMigration: Migration = {
  name: '003_tasks',
  async up({ knex, table }) {
    // Short explicit index names: MySQL caps identifiers at 64 characters, prefix included.
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    await knex.schema.createTable(table('sales_tasks'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('type', 16).notNullable();
      t.string('title', 300).notNullable();
      t.text('notes');
      t.bigInteger('due_at').notNullable();
      t.bigInteger('remind_at');
      t.string('lead_id', 36);
      t.string('deal_id', 36);
      t.string('customer_id', 36);
      t.string('assignee_id', 200);
      t.string('team_id', 200);
      t.string('status', 16).notNullable();
      t.string('outcome', 2000);
      t.bigInteger('completed_at');
      t.string('due_claim', 36);
      t.string('reminder_claim', 36);
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'status', 'due_at', 'id'], ix('sales_tasks', 't_status_due_id'));
      t.index(['tenant_id', 'assignee_id', 'id'], ix('sales_tasks', 't_assignee_id'));
      t.index(['tenant_id', 'team_id', 'id'], ix('sales_tasks', 't_team_id'));
      t.index(['tenant_id', 'lead_id'], ix('sales_tasks', 't_lead'));
      t.index(['tenant_id', 'deal_id'], ix('sales_tasks', 't_deal'));
      t.index(['tenant_id', 'customer_id'], ix('sales_tasks', 't_customer'));
      // The scheduler's scans, across tenants: open, unclaimed, due by now.
      t.index(['status', 'due_claim', 'due_at'], ix('sales_tasks', 'status_dclaim_due'));
      t.index(['status', 'reminder_claim', 'remind_at'], ix('sales_tasks', 'status_rclaim_remind'));
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('sales_tasks'));
  },
};
