/**
 * When customers merge, their deals, leads and tasks move to the survivor (see
 * `services/customer-changes.ts`). Idempotent: a replay finds nothing left pointing at
 * the merged customers.
 */
import type { PeyvandEvent, PeyvandEvents, PluginSubscriber } from '../../../core/plugin/index.js';
import type { SalesOptions } from '../options.js';
import { createSalesServices } from '../services/container.js';

/** Moves sales records of merged customers to the survivor. */
export const customerMergedSubscriber: PluginSubscriber<SalesOptions> = {
  id: 'sales.customer-merged',
  events: ['customer.merged'],
  async handle(event: PeyvandEvent, ctx) {
    const { survivorId, mergedIds } = event.data as PeyvandEvents['customer.merged'];
    await createSalesServices(ctx).customerChanges.customerMerged(event.tenantId, survivorId, mergedIds);
  },
};
