/**
 * Claiming what has fallen due, for a plugin's scheduler: rows of every tenant whose time
 * has come (a task's reminder, an SLA target's breach) are claimed with a token in one
 * conditional UPDATE, so several nodes polling at once announce each row once, and only for
 * tenants that still have the plugin switched on (the others' rows wait, unclaimed).
 */
import type { Knex } from 'knex';
import type { PluginContext } from './contract.js';
import type { PluginTables } from './data.js';
import { newId } from './ids.js';

/** A column of a declared table. */
type ColumnOf<N extends keyof PluginTables> = keyof PluginTables[N] & string;

/** What to claim, from the declared table `N`. */
export interface DueClaim<N extends keyof PluginTables> {
  /** The table by its declared name (`support_sla_targets`, unprefixed): the claimed rows are typed by its row. */
  table: N;
  /** Narrows a query on the table to unclaimed rows due now; applied to the search and to the claiming UPDATE alike. */
  due(q: Knex.QueryBuilder): Knex.QueryBuilder;
  /** The column the search orders by (the due time: the oldest first). */
  orderBy: ColumnOf<N>;
  /** The column the claim token is written to. */
  claimColumn: ColumnOf<N>;
  /** Rows claimed at most in one round. */
  batchSize: number;
  /** Further columns the claim sets (a breach flag). */
  set?: Record<string, unknown>;
}

/**
 * Claims a round of due rows and hands them to `work` in the claiming transaction (events and
 * audit entries written there commit with the claim); answers how many were claimed. The
 * search reads every tenant's rows: one round serves them all (an unscoped use, on purpose).
 * The rows are typed by the table's declaration in `PluginTables`, and the columns named
 * must be the row's.
 */
export async function claimDue<N extends keyof PluginTables>(ctx: PluginContext<unknown>, claim: DueClaim<N>, work: (trx: Knex.Transaction, rows: Array<PluginTables[N]>) => Promise<void>): Promise<number> {
  const table = ctx.data.table(claim.table);
  const candidates: Array<{ id: string; tenant_id: string }> = await claim.due(ctx.unscopedKnex(table)).orderBy(claim.orderBy).limit(claim.batchSize).select('id', 'tenant_id');
  const ids: string[] = [];
  const enabled = new Map<string, boolean>();
  for (const c of candidates) {
    if (!enabled.has(c.tenant_id)) enabled.set(c.tenant_id, await ctx.tenants.isEnabled(c.tenant_id, ctx.name));
    if (enabled.get(c.tenant_id)) ids.push(c.id);
  }
  if (ids.length === 0) return 0;
  const token = newId();
  return ctx.data.transaction(async (trx) => {
    await claim.due(trx(table)).whereIn('id', ids).update({ [claim.claimColumn]: token, ...claim.set });
    const rows: Array<PluginTables[N]> = await trx(table).where(claim.claimColumn, token).orderBy('id');
    await work(trx, rows);
    return rows.length;
  });
}
