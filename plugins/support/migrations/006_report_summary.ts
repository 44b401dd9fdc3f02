/**
 * The per-day summary of the yearly SLA and response-time reports (`services/summary.ts`):
 * at 1,000,000 tickets those reports read every target and ticket of the year (9–54 s);
 * from the summary they read a few thousand rows. The unique key, led by tenant and day,
 * is both the upsert's conflict target and the reports' range index. The backfill walks
 * existing tickets in batches of 2,000 with their targets.
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../core/plugin/index.js';
import { rebuildSummary } from '../services/summary.js';

const dims = (t: Knex.CreateTableBuilder) => {
  t.string('tenant_id', 36).notNullable();
  t.integer('day').notNullable();
};
const owners = (t: Knex.CreateTableBuilder) => {
  for (const column of ['queue_id', 'assignee_id', 'team_id']) t.string(column, 36).notNullable().defaultTo('');
};

/** Migration 006 of the support plugin: the reports' per-day summary, backfilled. */
export const supportReportSummaryMigration: Migration = {
  name: '006_report_summary',
  async up({ knex, table, dialect }) {
    const sla = table('support_sla_daily');
    const time = table('support_time_daily');
    await knex.schema.createTable(sla, (t) => {
      dims(t);
      t.string('kind', 16).notNullable();
      t.string('policy_id', 36).notNullable();
      owners(t);
      t.string('outcome', 8).notNullable();
      t.bigInteger('n').notNullable();
      t.unique(['tenant_id', 'day', 'kind', 'policy_id', 'queue_id', 'assignee_id', 'team_id', 'outcome'], { indexName: `${sla}_key_uq` });
    });
    await knex.schema.createTable(time, (t) => {
      dims(t);
      t.string('measure', 16).notNullable();
      owners(t);
      t.integer('bucket').notNullable();
      t.bigInteger('n').notNullable();
      t.bigInteger('total_ms').notNullable();
      t.unique(['tenant_id', 'day', 'measure', 'queue_id', 'assignee_id', 'team_id', 'bucket'], { indexName: `${time}_key_uq` });
    });
    const monthly = table('support_time_monthly');
    await knex.schema.createTable(monthly, (t) => {
      t.string('tenant_id', 36).notNullable();
      t.string('calendar', 10).notNullable();
      t.integer('month').notNullable();
      t.string('measure', 16).notNullable();
      t.string('queue_id', 36).notNullable().defaultTo('');
      t.integer('bucket').notNullable();
      t.bigInteger('n').notNullable();
      t.bigInteger('total_ms').notNullable();
      t.unique(['tenant_id', 'calendar', 'month', 'measure', 'queue_id', 'bucket'], { indexName: `${monthly}_key_uq` });
    });
    await rebuildSummary(knex, dialect, table);
  },
  async down({ knex, table }) {
    await knex.schema.dropTable(table('support_time_monthly'));
    await knex.schema.dropTable(table('support_time_daily'));
    await knex.schema.dropTable(table('support_sla_daily'));
  },
};
