/**
 * Order events from core's orders read model: every one updates the plugin's order
 * projection; a paid order earns (once, by order id), a returned one reverses. Events
 * arrive at least once and may repeat; the earning service is idempotent by order id.
 * `order.updated` matters too: it is how an order the CRM could not match to a customer
 * at first (customerId null) arrives again once the customer exists, and must earn then.
 */
import type { PeyvandEvent, PluginSubscriber } from '../../../core/plugin/index.js';
import type { LoyaltyOptions } from '../options.js';
import { createLoyaltyServices } from '../services/container.js';
import { orderOf } from '../services/orders.js';

/** Feeds the projection and the ledger from order events. */
export const ordersSubscriber: PluginSubscriber<LoyaltyOptions> = {
  id: 'loyalty.orders',
  events: ['order.placed', 'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.returned', 'order.updated'],
  async handle(event: PeyvandEvent, ctx) {
    const order = orderOf(event.data);
    if (!order) {
      ctx.logger.warn({ eventId: event.id, type: event.type }, 'order event without an order: ignored');
      return;
    }
    await createLoyaltyServices(ctx).earning.onOrder(event.tenantId, order);
  },
};

/** When a tenant switches loyalty on, its order history is back-filled into the projection. */
export const pluginEnabledSubscriber: PluginSubscriber<LoyaltyOptions> = {
  id: 'loyalty.plugin-enabled',
  events: ['tenant.plugins_enabled'],
  async handle(event: PeyvandEvent, ctx) {
    const { plugins } = event.data as { plugins: string[] };
    if (plugins.includes(ctx.name)) await createLoyaltyServices(ctx).projection.backfill(event.tenantId);
  },
};
