/**
 * The SLA targets of given tickets, found by tenant and ticket: every ticket view and list
 * page reads its tickets' targets with `tenant_id = ? AND ticket_id IN (…)`. The only
 * index led by `ticket_id` (the unique `(ticket_id, kind)`) does not start with the tenant,
 * so SQLite chose an index led by `tenant_id` alone and read every target of the tenant:
 * 3 s per queue view at 1,000,000 tickets (2,000,000 targets), measured with
 * `EXPLAIN QUERY PLAN` on the bench's dataset. Led by the tenant like the other indexes.
 */
import type { Migration } from '../../../core/plugin/index.js';

const name = (table: (name: string) => string) => `${table('support_sla_targets')}_t_ticket_ix`;

/** Migration 005 of the support plugin: targets by tenant and ticket. */
export const supportTargetsIndexMigration: Migration = {
  name: '005_ticket_targets_index',
  async up({ knex, table }) {
    await knex.schema.alterTable(table('support_sla_targets'), (t) => {
      t.index(['tenant_id', 'ticket_id', 'kind'], name(table));
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('support_sla_targets'), (t) => {
      t.dropIndex([], name(table));
    });
  },
};
