/** Every loyalty route, mounted by the kernel at `/api/v1/loyalty`. */
import type { PluginApp, PluginContext } from '../../../core/plugin/index.js';
import type { LoyaltyOptions } from '../options.js';
import { createLoyaltyServices } from '../services/container.js';
import { accountRoutes } from './account-routes.js';
import { programRoutes } from './program-routes.js';
import { reportRoutes } from './report-routes.js';
import { rewardRoutes } from './reward-routes.js';

/** Registers the loyalty routes. */
export function loyaltyRoutes(app: PluginApp, ctx: PluginContext<LoyaltyOptions>): void {
  const services = createLoyaltyServices(ctx);
  programRoutes(app, services);
  accountRoutes(app, services);
  rewardRoutes(app, services);
  reportRoutes(app, services);
}
