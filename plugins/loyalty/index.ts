/**
 * The loyalty plugin: an append-only points ledger fed by paid and returned orders,
 * expiry, tiers on Gregorian or Persian years or rolling windows, rewards without
 * overspend, referrals, and customer analytics (RFM, lifecycle stages, Pareto, win-back)
 * over its own projection of the orders. Wiring only; the logic is in `services/`.
 */
import { definePlugin } from '../../core/plugin/index.js';
import { seedLoyaltyDemo } from './demo.js';
import { loyaltyEventSchemas } from './events.js';
import { loyaltyMigration } from './migrations/001_loyalty.js';
import { loyaltyOptionsSchema, type LoyaltyOptions } from './options.js';
import { loyaltyPermissions } from './permissions.js';
import { loyaltyRoutes } from './routes/index.js';
import { createLoyaltyServices, type LoyaltyServices } from './services/container.js';
import { ordersSubscriber, pluginEnabledSubscriber } from './subscribers/orders.js';

export type { LoyaltyServices } from './services/container.js';
export type { LoyaltyOptions } from './options.js';

/** The loyalty plugin definition. */
export default definePlugin<LoyaltyOptions, LoyaltyServices>({
  name: 'loyalty',
  version: '0.1.0',
  core: '^0.1.0',
  options: loyaltyOptionsSchema,
  permissions: loyaltyPermissions,
  migrations: [loyaltyMigration],
  events: loyaltyEventSchemas,
  subscribers: [ordersSubscriber, pluginEnabledSubscriber],
  routes: loyaltyRoutes,
  // Defined by widgets/index.ts, built into this plugin's own chunk (docs/plugins.md, Widgets).
  widgets: ['peyvand-loyalty-card', 'peyvand-rewards', 'peyvand-rfm', 'peyvand-pareto'],
  bootstrap(ctx) {
    const services = createLoyaltyServices(ctx);
    // One-shot CLI commands and hand-driven tests run no loops; servers do.
    if (ctx.background) services.scheduler.start();
    return services;
  },
  async close(_ctx, services) {
    await services?.scheduler.stop();
  },
  demo: seedLoyaltyDemo,
});
