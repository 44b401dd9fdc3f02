/**
 * When a customer is deleted, its open deals are closed as lost, leads matched to it lose
 * the match and its open tasks are cancelled (see `services/customer-changes.ts`).
 * Idempotent: a replay finds nothing left to change.
 */
import type { PeyvandEvent, PeyvandEvents, PluginSubscriber } from '../../../core/plugin/index.js';
import type { SalesOptions } from '../options.js';
import { createSalesServices } from '../services/container.js';

/** Applies customer deletions to the sales records. */
export const customerDeletedSubscriber: PluginSubscriber<SalesOptions> = {
  id: 'sales.customer-deleted',
  events: ['customer.deleted'],
  async handle(event: PeyvandEvent, ctx) {
    const { customer } = event.data as PeyvandEvents['customer.deleted'];
    await createSalesServices(ctx).customerChanges.customerDeleted(event.tenantId, customer.id);
  },
};
