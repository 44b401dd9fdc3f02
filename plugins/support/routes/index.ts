/** Every support route, mounted by the kernel at `/api/v1/support`. */
import type { PluginApp, PluginContext } from '../../../core/plugin/index.js';
import type { SupportOptions } from '../options.js';
import { createSupportServices } from '../services/container.js';
import { absenceRoutes } from './absence-routes.js';
import { cannedRoutes } from './canned-routes.js';
import { csatRoutes } from './csat-routes.js';
import { portalRoutes } from './portal-routes.js';
import { reportRoutes } from './report-routes.js';
import { setupRoutes } from './setup-routes.js';
import { ticketRoutes } from './ticket-routes.js';

/** Registers the support routes. */
export function supportRoutes(app: PluginApp, ctx: PluginContext<SupportOptions>): void {
  const services = createSupportServices(ctx);
  ticketRoutes(app, services);
  setupRoutes(app, services);
  absenceRoutes(app, services);
  portalRoutes(app, services);
  csatRoutes(app, ctx, services);
  cannedRoutes(app, services);
  reportRoutes(app, services);
}
