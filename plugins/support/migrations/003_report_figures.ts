/**
 * What the support reports aggregate, stored on the ticket when it happens so that each
 * report is one grouped SQL query over an index:
 *
 * - `first_response_business_ms`: business time from opening to the first public agent
 *   reply (`first_response_at`, a 001 column that now gets set), on the ticket's calendar;
 * - `resolved_at` / `resolution_business_ms`: when the ticket last became solved or closed,
 *   and the business time from opening to then; both cleared when it reopens, so the
 *   backlog at any instant is "opened before it, not resolved before it".
 *
 * Tickets solved before this migration get `resolved_at` from `solved_at` (or their last
 * update when closed unsolved); their business times stay null: the calendar they ran on
 * is not known any more.
 */
import type { Migration } from '../../../core/plugin/index.js';

const COLUMNS = ['first_response_business_ms', 'resolved_at', 'resolution_business_ms'];

/** Migration 003 of the support plugin: the stored figures the reports aggregate. */
export const supportReportMigration: Migration = {
  name: '003_report_figures',
  async up({ knex, table }) {
    const tickets = table('support_tickets');
    await knex.schema.alterTable(tickets, (t) => {
      t.bigInteger('first_response_business_ms');
      t.bigInteger('resolved_at');
      t.bigInteger('resolution_business_ms');
      // Response times per period (of the first response, of the resolution), per queue.
      t.index(['tenant_id', 'first_response_at', 'queue_id'], `${tickets}_t_first_resp_ix`);
      // Resolutions per period, and the backlog at an instant: resolved after it (or not at all), opened before it.
      t.index(['tenant_id', 'resolved_at', 'created_at'], `${tickets}_t_resolved_ix`);
    });
    await knex(tickets).whereIn('status', ['solved', 'closed']).whereNull('merged_into_id').update({ resolved_at: knex.raw('COALESCE(solved_at, updated_at)') });
  },
  async down({ knex, table }) {
    const tickets = table('support_tickets');
    await knex.schema.alterTable(tickets, (t) => {
      t.dropIndex([], `${tickets}_t_first_resp_ix`);
      t.dropIndex([], `${tickets}_t_resolved_ix`);
    });
    await knex.schema.alterTable(tickets, (t) => {
      for (const column of COLUMNS) t.dropColumn(column);
    });
  },
};
