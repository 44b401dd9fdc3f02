/**
 * The report indexes cover record scope too. An agent's forecast or a team's win rate
 * filters on `owner_id` / `team_id`; without them in the index every deal in range was
 * fetched from the table (measured: 170–190 ms instead of ~30 ms at 100,000 deals on
 * SQLite), and SQLite preferred walking a whole owner or team index to sorting. With
 * them, each report reads its index alone, whoever asks.
 */
import type { Migration, MigrationContext } from '../../../core/plugin/index.js';

type Index = { suffix: string; columns: string[] };

const BEFORE: Index[] = [
  { suffix: 't_status_pipeline_stage', columns: ['tenant_id', 'status', 'pipeline_id', 'stage_id', 'currency', 'amount'] },
  { suffix: 't_status_cur_close', columns: ['tenant_id', 'status', 'currency', 'expected_close_date', 'pipeline_id', 'stage_id', 'amount'] },
  { suffix: 't_status_closed', columns: ['tenant_id', 'status', 'closed_at', 'created_at', 'owner_id'] },
];

const AFTER: Index[] = [
  { suffix: 't_status_pipeline_stage', columns: [...BEFORE[0]!.columns, 'owner_id', 'team_id'] },
  { suffix: 't_status_cur_close', columns: [...BEFORE[1]!.columns, 'owner_id', 'team_id'] },
  { suffix: 't_status_closed', columns: ['tenant_id', 'status', 'closed_at', 'created_at', 'owner_id', 'team_id', 'pipeline_id'] },
];

async function replace({ knex, table }: MigrationContext, from: Index[], to: Index[]): Promise<void> {
  const deals = table('sales_deals');
  // Short explicit names (as in 001): MySQL caps identifiers at 64 characters, prefix included.
  const name = (suffix: string) => `${deals}_${suffix}_ix`;
  await knex.schema.alterTable(deals, (t) => {
    for (const ix of from) t.dropIndex(ix.columns, name(ix.suffix));
  });
  await knex.schema.alterTable(deals, (t) => {
    for (const ix of to) t.index(ix.columns, name(ix.suffix));
  });
}

export const reportIndexesMigration: Migration = {
  name: '007_report_indexes',
  up: (ctx) => replace(ctx, BEFORE, AFTER),
  down: (ctx) => replace(ctx, AFTER, BEFORE),
};
