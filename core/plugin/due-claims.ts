/**
 * Claiming what has fallen due, for a plugin's scheduler: rows of every tenant whose time
 * has come (a task's reminder, an SLA target's breach) are claimed with a token in one
 * conditional UPDATE, so several nodes polling at once announce each row once, and only for
 * tenants that still have the plugin switched on (the others' rows wait, unclaimed).
 */
import type { Knex } from 'knex';
import type { PluginContext } from './contract.js';
import { newId } from './ids.js';

/** What to claim. */
export interface DueClaim {
  /** The (prefixed) table. */
  table: string;
  /** Narrows a query on `table` to unclaimed rows due now; applied to the search and to the claiming UPDATE alike. */
  due(q: Knex.QueryBuilder): Knex.QueryBuilder;
  /** The column the search orders by (the due time: the oldest first). */
  orderBy: string;
  /** The column the claim token is written to. */
  claimColumn: string;
  /** Rows claimed at most in one round. */
  batchSize: number;
  /** Further columns the claim sets (a breach flag). */
  set?: Record<string, unknown>;
}

/**
 * Claims a round of due rows and hands them to `work` in the claiming transaction (events and
 * audit entries written there commit with the claim); answers how many were claimed. The
 * search reads every tenant's rows: one round serves them all (an unscoped use, on purpose).
 *
 * @typeParam Row - the claimed table's row, as the caller declares it (not checked here).
 */
export async function claimDue<Row extends object = Record<string, unknown>>(ctx: PluginContext<unknown>, claim: DueClaim, work: (trx: Knex.Transaction, rows: Row[]) => Promise<void>): Promise<number> {
  const candidates: Array<{ id: string; tenant_id: string }> = await claim.due(ctx.unscopedKnex(claim.table)).orderBy(claim.orderBy).limit(claim.batchSize).select('id', 'tenant_id');
  const ids: string[] = [];
  const enabled = new Map<string, boolean>();
  for (const c of candidates) {
    if (!enabled.has(c.tenant_id)) enabled.set(c.tenant_id, await ctx.tenants.isEnabled(c.tenant_id, ctx.name));
    if (enabled.get(c.tenant_id)) ids.push(c.id);
  }
  if (ids.length === 0) return 0;
  const token = newId();
  return ctx.data.transaction(async (trx) => {
    await claim.due(trx(claim.table)).whereIn('id', ids).update({ [claim.claimColumn]: token, ...claim.set });
    const rows: Row[] = await trx(claim.table).where(claim.claimColumn, token).orderBy('id');
    await work(trx, rows);
    return rows.length;
  });
}
