/**
 * Agents' absences (issue 13: "reassignment on absence"): while an agent is away, automatic
 * assignment passes them over, and their open tickets were handed on when the absence was
 * set. One row per agent: a new absence replaces the last; a past one is simply over.
 */
import type { Migration } from '../../../core/plugin/index.js';

/** Migration 008 of the support plugin: agents' absences. */
export const supportAbsencesMigration: Migration = {
  name: '008_agent_absences',
  async up({ knex, table }) {
    await knex.schema.createTable(table('support_absences'), (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('agent_id', 200).notNullable();
      t.bigInteger('since').notNullable();
      t.bigInteger('until').notNullable();
      t.string('reason', 300);
      t.string('set_by', 200).notNullable();
      t.primary(['tenant_id', 'agent_id']);
    });
  },
  async down({ knex, table }) {
    await knex.schema.dropTableIfExists(table('support_absences'));
  },
};
