/**
 * Leads, with the normalized email and phone keys duplicate detection matches on, the
 * instants each status was reached (the funnel report counts them), and the round-robin
 * position of each assignment rule.
 */
import type { Migration } from '../../../core/plugin/index.js';

export const leadsMigration: Migration = {
  name: '002_leads',
  async up({ knex, table }) {
    // Short explicit index names: MySQL caps identifiers at 64 characters, prefix included.
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    await knex.schema.createTable(table('sales_leads'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 300).notNullable();
      t.string('email', 320);
      t.string('phone', 64);
      t.string('company', 300);
      t.string('source', 100);
      t.string('utm_source', 200);
      t.string('utm_medium', 200);
      t.string('utm_campaign', 200);
      t.string('territory', 100);
      t.text('tags').notNullable();
      t.text('notes');
      t.string('email_key', 190);
      t.string('phone_key', 32);
      t.string('status', 16).notNullable();
      t.integer('score').notNullable();
      t.string('owner_id', 200);
      t.string('team_id', 200);
      t.string('disqualify_reason', 1000);
      t.string('matched_customer_id', 36);
      t.string('customer_id', 36);
      t.string('deal_id', 36);
      t.string('web_form_id', 36);
      t.bigInteger('contacted_at');
      t.bigInteger('qualified_at');
      t.bigInteger('disqualified_at');
      t.bigInteger('converted_at');
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'id'], ix('sales_leads', 't_id'));
      t.index(['tenant_id', 'owner_id', 'id'], ix('sales_leads', 't_owner_id'));
      t.index(['tenant_id', 'team_id', 'id'], ix('sales_leads', 't_team_id'));
      t.index(['tenant_id', 'status', 'id'], ix('sales_leads', 't_status_id'));
      t.index(['tenant_id', 'email_key'], ix('sales_leads', 't_email'));
      t.index(['tenant_id', 'phone_key'], ix('sales_leads', 't_phone'));
      t.index(['tenant_id', 'created_at'], ix('sales_leads', 't_created'));
      t.index(['tenant_id', 'customer_id'], ix('sales_leads', 't_customer'));
      t.index(['tenant_id', 'matched_customer_id'], ix('sales_leads', 't_matched'));
    });
    await knex.schema.createTable(table('sales_assignment_cursors'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('rule_id', 64).notNullable();
      t.integer('next_index').notNullable();
      t.primary(['tenant_id', 'rule_id']);
    });
  },
  async down({ knex, table }) {
    for (const name of ['sales_assignment_cursors', 'sales_leads']) await knex.schema.dropTableIfExists(table(name));
  },
};
