/**
 * What happens to sales records when their customer is deleted. Customers are deleted
 * for good, so nothing can be won from them any more, but what happened with them is
 * history worth keeping:
 *
 * - open deals are closed as lost, with the reason «the customer was deleted» in the
 *   tenant's language; won and lost deals stay as they are (reports keep their revenue);
 * - leads that were matched to the customer at capture lose the match (converting them
 *   creates a new customer); converted leads keep the id they were converted to;
 * - open tasks about the customer (directly, or through its deals) are cancelled, so no
 *   reminder fires for someone who is gone.
 *
 * Every change is made through the usual write path (or, for the match, one like it): a
 * version bump, an audit entry by `system:sales` and its events. Running it again finds
 * nothing left to change, so a redelivered `customer.deleted` does nothing.
 */
import { readInt, systemActor, type Actor, type PluginContext } from '../../../core/index.js';
import type { DealService } from './deals.js';
import { leadFromRow, type LeadDto } from './records.js';
import type { SalesStore } from './store.js';
import type { TaskService } from './tasks.js';

/** How many records a removal changed. */
export interface RemovalOutcome {
  dealsLost: number;
  leadsUnmatched: number;
  tasksCancelled: number;
}

/** Applies a customer's deletion to the sales records. */
export class CustomerRemoval {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly deals: DealService,
    private readonly tasks: TaskService,
  ) {}

  async customerDeleted(tenantId: string, customerId: string): Promise<RemovalOutcome> {
    const tenant = await this.ctx.tenants.findById(tenantId);
    if (!tenant) return { dealsLost: 0, leadsUnmatched: 0, tasksCancelled: 0 };
    const actor = systemActor(tenant, 'sales', []);
    const reason = this.ctx.t('deals.customerDeleted', { lng: tenant.locale });
    const knex = this.ctx.db.knex;

    const openDeals = await this.store.rows(knex, 'deals', tenantId).where({ customer_id: customerId, status: 'open' }).orderBy('id').pluck('id');
    for (const id of openDeals) await this.deals.close(actor, String(id), { status: 'lost', reason });

    const matched = await this.store.rows(knex, 'leads', tenantId).where({ matched_customer_id: customerId }).orderBy('id').pluck('id');
    for (const id of matched) await this.unmatch(actor, String(id), customerId);

    const openTasks = await this.store.rows(knex, 'tasks', tenantId).where({ customer_id: customerId, status: 'open' }).orderBy('id').pluck('id');
    for (const id of openTasks) await this.tasks.update(actor, String(id), { status: 'cancelled' });

    return { dealsLost: openDeals.length, leadsUnmatched: matched.length, tasksCancelled: openTasks.length };
  }

  /** Drops a lead's match to a deleted customer, versioned, audited and evented like any lead change. */
  private async unmatch(actor: Actor, leadId: string, customerId: string): Promise<void> {
    await this.ctx.db.transaction(async (trx) => {
      const row = await this.store.forUpdate(this.store.rows(trx, 'leads', actor.tenantId).where({ id: leadId, matched_customer_id: customerId }).first());
      if (!row) return;
      const before = leadFromRow(row);
      const now = Date.now();
      const after: LeadDto = { ...before, version: before.version + 1, updatedAt: new Date(now).toISOString() };
      delete after.matchedCustomerId;
      await this.store.updateVersioned(trx, 'leads', actor.tenantId, leadId, readInt(row.version), { matched_customer_id: null, updated_at: now });
      await this.ctx.audit.record(trx, actor, { action: 'lead.update', entityType: 'lead', entityId: leadId, before, after });
      await this.ctx.events.emit(trx, 'lead.updated', { lead: after, changed: ['matchedCustomerId'] }, { tenantId: actor.tenantId, aggregateType: 'lead', aggregateId: leadId });
    });
  }
}
