/**
 * When customers merge, their deals, leads and tasks move to the survivor. Idempotent:
 * a replay finds nothing left pointing at the merged customers.
 */
import type { PeyvandEvent, PeyvandEvents, PluginSubscriber } from '../../../core/index.js';
import type { SalesOptions } from '../options.js';
import { dealFromRow } from '../services/records.js';
import { SalesStore } from '../services/store.js';

/** Moves sales records of merged customers to the survivor. */
export const customerMergedSubscriber: PluginSubscriber<SalesOptions> = {
  id: 'sales.customer-merged',
  events: ['customer.merged'],
  async handle(event: PeyvandEvent, ctx) {
    const { survivorId, mergedIds } = event.data as PeyvandEvents['customer.merged'];
    if (mergedIds.length === 0) return;
    const store = new SalesStore(ctx.db);
    const tenantId = event.tenantId;
    const author = { tenantId, subject: 'system:sales', kind: 'system' as const };
    await ctx.db.transaction(async (trx) => {
      const now = Date.now();
      const deals = await store.rows(trx, 'deals', tenantId).whereIn('customer_id', mergedIds);
      for (const row of deals) {
        await store.rows(trx, 'deals', tenantId).where('id', row.id).update({ customer_id: survivorId, version: Number(row.version) + 1, updated_at: now });
        const deal = dealFromRow({ ...row, customer_id: survivorId, version: Number(row.version) + 1, updated_at: now });
        await ctx.events.emit(trx, 'deal.updated', { deal, changed: ['customerId'] }, { tenantId, aggregateType: 'deal', aggregateId: deal.id });
      }
      const leads = await store.rows(trx, 'leads', tenantId).whereIn('customer_id', mergedIds).update({ customer_id: survivorId, updated_at: now });
      const matched = await store.rows(trx, 'leads', tenantId).whereIn('matched_customer_id', mergedIds).update({ matched_customer_id: survivorId });
      const tasks = await store.rows(trx, 'tasks', tenantId).whereIn('customer_id', mergedIds).update({ customer_id: survivorId, updated_at: now });
      if (deals.length + leads + matched + tasks === 0) return;
      await ctx.audit.record(trx, author, {
        action: 'sales.customer_merge',
        entityType: 'customer',
        entityId: survivorId,
        after: { mergedIds, deals: deals.map((d: Record<string, unknown>) => String(d.id)), leads: leads + matched, tasks, eventId: event.id },
      });
    });
  },
};
