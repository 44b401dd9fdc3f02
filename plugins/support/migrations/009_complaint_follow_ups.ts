/**
 * A complaint's follow-up as a task (issue 13: "creates a follow-up task for the queue's
 * manager"): each complaint row carries who is to follow it up — the manager of the
 * ticket's queue, or nobody (any manager) — and whether and how it was done. Existing
 * complaints become open follow-ups for nobody in particular.
 */
import type { Migration } from '../../../core/plugin/index.js';

const COLUMNS = ['follow_up_assignee_id', 'follow_up_status', 'followed_up_at', 'followed_up_by', 'follow_up_note'] as const;

/** Migration 009 of the support plugin: complaint follow-ups. */
export const supportFollowUpsMigration: Migration = {
  name: '009_complaint_follow_ups',
  async up({ knex, table }) {
    await knex.schema.alterTable(table('support_complaints'), (t) => {
      t.string('follow_up_assignee_id', 200);
      t.string('follow_up_status', 8).notNullable().defaultTo('open');
      t.bigInteger('followed_up_at');
      t.string('followed_up_by', 200);
      t.string('follow_up_note', 2000);
      t.index(['tenant_id', 'follow_up_status', 'id'], `${table('support_complaints')}_t_follow_up_ix`);
    });
  },
  async down({ knex, table }) {
    await knex.schema.alterTable(table('support_complaints'), (t) => {
      t.dropIndex([], `${table('support_complaints')}_t_follow_up_ix`);
    });
    await knex.schema.alterTable(table('support_complaints'), (t) => {
      t.dropColumns(...COLUMNS);
    });
  },
};
