/**
 * What happens to sales records when their customer changes identity in core.
 *
 * Merged: deals, leads (converted to, or matched with, a merged customer) and tasks move
 * to the survivor.
 *
 * Deleted: customers are deleted for good, so nothing can be won from them any more, but
 * what happened with them is history worth keeping:
 * - open deals are closed as lost, with the reason «the customer was deleted» in the
 *   tenant's language; won and lost deals stay as they are (reports keep their revenue);
 * - leads matched to the customer at capture lose the match (converting them creates a
 *   new customer); converted leads keep the id they were converted to;
 * - open tasks about the customer (directly, or through its deals) are cancelled, so no
 *   reminder fires for someone who is gone.
 *
 * Every change is versioned, audited with the plugin as its author and evented, through
 * the usual write path where there is one. Running either again finds nothing left to
 * change, so a redelivered event does nothing.
 */
import { systemActor, type PluginContext } from '../../../core/plugin/index.js';
import type { DealService } from './deals.js';
import type { SalesStore } from './store.js';
import { salesSystem, type SystemWrites } from './system-writes.js';
import type { TaskService } from './tasks.js';

/** How many records a deletion changed. */
export interface RemovalOutcome {
  dealsLost: number;
  leadsUnmatched: number;
  tasksCancelled: number;
}

/** Applies customer merges and deletions to the sales records. */
export class CustomerChanges {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly writes: SystemWrites,
    private readonly deals: DealService,
    private readonly tasks: TaskService,
  ) {}

  /** Moves what pointed at `mergedIds` to the survivor, in one transaction; returns how many records moved. */
  async customerMerged(tenantId: string, survivorId: string, mergedIds: readonly string[]): Promise<number> {
    if (mergedIds.length === 0) return 0;
    const author = salesSystem(tenantId);
    const merged = new Set(mergedIds);
    return this.ctx.data.transaction(async (trx) => {
      const deals = await this.store.forUpdate(this.store.rows(trx, 'deals', tenantId).whereIn('customer_id', mergedIds).orderBy('id'));
      for (const row of deals) await this.writes.update(trx, author, 'deal', row, { customer_id: survivorId }, ['customerId']);
      const leads = await this.store.forUpdate(this.store.rows(trx, 'leads', tenantId).where((q) => q.whereIn('customer_id', mergedIds).orWhereIn('matched_customer_id', mergedIds)).orderBy('id'));
      for (const row of leads) {
        const values: Record<string, string> = {};
        if (row.customer_id !== null && merged.has(row.customer_id)) values.customer_id = survivorId;
        if (row.matched_customer_id !== null && merged.has(row.matched_customer_id)) values.matched_customer_id = survivorId;
        await this.writes.update(trx, author, 'lead', row, values, [...('customer_id' in values ? ['customerId'] : []), ...('matched_customer_id' in values ? ['matchedCustomerId'] : [])]);
      }
      const tasks = await this.store.forUpdate(this.store.rows(trx, 'tasks', tenantId).whereIn('customer_id', mergedIds).orderBy('id'));
      for (const row of tasks) await this.writes.update(trx, author, 'task', row, { customer_id: survivorId }, ['customerId']);
      return deals.length + leads.length + tasks.length;
    });
  }

  /** Closes, unlinks and cancels what belonged to a deleted customer (see the module comment). */
  async customerDeleted(tenantId: string, customerId: string): Promise<RemovalOutcome> {
    const tenant = await this.ctx.tenants.findById(tenantId);
    if (!tenant) return { dealsLost: 0, leadsUnmatched: 0, tasksCancelled: 0 };
    const actor = systemActor(tenant, 'sales', []);
    const reason = this.ctx.t('deals.customerDeleted', { lng: tenant.locale });

    const openDeals = await this.store.rows(undefined, 'deals', tenantId).where({ customer_id: customerId, status: 'open' }).orderBy('id').pluck('id');
    for (const id of openDeals) await this.deals.close(actor, String(id), { status: 'lost', reason });

    const leadsUnmatched = await this.ctx.data.transaction(async (trx) => {
      const matched = await this.store.forUpdate(this.store.rows(trx, 'leads', tenantId).where({ matched_customer_id: customerId }).orderBy('id'));
      for (const row of matched) await this.writes.update(trx, salesSystem(tenantId), 'lead', row, { matched_customer_id: null }, ['matchedCustomerId']);
      return matched.length;
    });

    const openTasks = await this.store.rows(undefined, 'tasks', tenantId).where({ customer_id: customerId, status: 'open' }).orderBy('id').pluck('id');
    for (const id of openTasks) await this.tasks.update(actor, String(id), { status: 'cancelled' });

    return { dealsLost: openDeals.length, leadsUnmatched, tasksCancelled: openTasks.length };
  }
}
