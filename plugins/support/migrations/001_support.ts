/**
 * The support plugin's tables. Instants are epoch milliseconds (BIGINT) like core's.
 *
 * `support_counters` holds each tenant's last ticket number: a ticket takes the next one
 * with an UPDATE inside its transaction (a row lock on PostgreSQL/MySQL, the single writer
 * on SQLite), and the unique (tenant_id, number) index is the backstop.
 *
 * `support_sla_targets` holds one row per ticket and target kind: the business time
 * budget, what was spent before the current running stretch, the running start, and the
 * warning and due instants the scheduler claims (`warn_claim`, `breach_claim`: set only
 * while NULL, so each event is emitted once per arming, across restarts and kernels).
 */
import type { Migration } from '../../../core/plugin/index.js';

export const supportMigration: Migration = {
  name: '001_support',
  async up({ knex, table, dialect }) {
    const ix = (name: string, suffix: string) => `${table(name)}_${suffix}_ix`;
    const longText = (t: { text(name: string, type?: string): unknown }, name: string) => t.text(name, dialect === 'mysql' ? 'mediumtext' : undefined);
    await knex.schema.createTable(table('support_counters'), (t) => {
      t.string('tenant_id', 36).primary();
      t.bigInteger('last_number').notNullable();
    });
    await knex.schema.createTable(table('support_calendars'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('id', 64).notNullable();
      t.string('name', 200).notNullable();
      t.string('time_zone', 64).notNullable();
      t.text('week').notNullable();
      longText(t, 'holidays');
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.primary(['tenant_id', 'id']);
    });
    await knex.schema.createTable(table('support_queues'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.text('members').notNullable();
      t.string('manager_id', 200);
      t.string('calendar_id', 64);
      t.string('email_account_id', 36);
      t.string('assignment', 16).notNullable();
      t.integer('rr_position').notNullable();
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'id'], ix('support_queues', 't_id'));
    });
    await knex.schema.createTable(table('support_sla_policies'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.string('calendar_id', 64).notNullable();
      t.text('conditions').notNullable();
      t.text('targets').notNullable();
      t.text('escalation').notNullable();
      t.boolean('enabled').notNullable();
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'id'], ix('support_sla_policies', 't_id'));
    });
    await knex.schema.createTable(table('support_tickets'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.bigInteger('number').notNullable();
      t.string('subject', 300).notNullable();
      t.string('customer_id', 36);
      t.string('channel', 8).notNullable();
      t.string('priority', 8).notNullable();
      t.string('status', 8).notNullable();
      t.string('queue_id', 36);
      t.string('assignee_id', 200);
      t.string('team_id', 200);
      t.text('tags').notNullable();
      longText(t, 'custom_fields');
      t.string('sla_policy_id', 36);
      t.string('merged_into_id', 36);
      t.bigInteger('first_response_at');
      t.bigInteger('solved_at');
      t.integer('csat_rating');
      t.string('csat_comment', 2000);
      t.bigInteger('csat_at');
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.unique(['tenant_id', 'number'], { indexName: ix('support_tickets', 't_number').replace(/_ix$/, '_uq') });
      t.index(['tenant_id', 'id'], ix('support_tickets', 't_id'));
      t.index(['tenant_id', 'status', 'id'], ix('support_tickets', 't_status_id'));
      t.index(['tenant_id', 'queue_id', 'status', 'id'], ix('support_tickets', 't_queue_status'));
      t.index(['tenant_id', 'assignee_id', 'status', 'id'], ix('support_tickets', 't_assignee_status'));
      t.index(['tenant_id', 'team_id', 'id'], ix('support_tickets', 't_team_id'));
      t.index(['tenant_id', 'customer_id', 'id'], ix('support_tickets', 't_customer_id'));
      t.index(['tenant_id', 'created_at', 'queue_id'], ix('support_tickets', 't_created'));
    });
    await knex.schema.createTable(table('support_messages'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.string('visibility', 8).notNullable();
      t.string('author_kind', 8).notNullable();
      t.string('author_id', 200);
      longText(t, 'body');
      t.string('email_message_id', 36);
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'ticket_id', 'id'], ix('support_messages', 't_ticket_id'));
    });
    await knex.schema.createTable(table('support_sla_targets'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.string('kind', 16).notNullable();
      t.string('policy_id', 36).notNullable();
      t.bigInteger('budget_ms').notNullable();
      t.bigInteger('spent_ms').notNullable();
      t.bigInteger('running_since');
      t.bigInteger('due_at');
      t.bigInteger('warn_at');
      t.string('state', 8).notNullable();
      t.bigInteger('started_at').notNullable();
      t.bigInteger('met_at');
      t.boolean('breached').notNullable();
      t.string('warn_claim', 36);
      t.string('breach_claim', 36);
      t.unique(['ticket_id', 'kind'], { indexName: ix('support_sla_targets', 'ticket_kind').replace(/_ix$/, '_uq') });
      // The queue view (open work by due time) and the scheduler's scans across tenants.
      t.index(['tenant_id', 'state', 'due_at'], ix('support_sla_targets', 't_state_due'));
      t.index(['state', 'breach_claim', 'due_at'], ix('support_sla_targets', 'state_bclaim_due'));
      t.index(['state', 'warn_claim', 'warn_at'], ix('support_sla_targets', 'state_wclaim_warn'));
      // Reports: targets completed per period.
      t.index(['tenant_id', 'kind', 'started_at'], ix('support_sla_targets', 't_kind_started'));
    });
    await knex.schema.createTable(table('support_canned_responses'), (t) => {
      t.string('id', 36).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('name', 200).notNullable();
      t.string('locale', 8).notNullable();
      longText(t, 'body');
      t.integer('version').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['tenant_id', 'locale', 'id'], ix('support_canned_responses', 't_locale_id'));
    });
    await knex.schema.createTable(table('support_csat_links'), (t) => {
      t.string('token_hash', 64).primary();
      t.string('tenant_id', 36).notNullable();
      t.string('ticket_id', 36).notNullable();
      t.bigInteger('expires_at').notNullable();
      t.bigInteger('used_at');
      t.bigInteger('created_at').notNullable();
      t.index(['tenant_id', 'ticket_id'], ix('support_csat_links', 't_ticket'));
    });
  },
  async down({ knex, table }) {
    for (const name of ['support_csat_links', 'support_canned_responses', 'support_sla_targets', 'support_messages', 'support_tickets', 'support_sla_policies', 'support_queues', 'support_calendars', 'support_counters']) {
      await knex.schema.dropTableIfExists(table(name));
    }
  },
};
