/** Every support route, mounted by the kernel at `/api/v1/support`. */
import type { PluginApp, PluginContext } from '../../../core/plugin/index.js';
import type { SupportOptions } from '../options.js';
import type { SupportServices } from '../services/container.js';
import { absenceRoutes } from './absence-routes.js';
import { cannedRoutes } from './canned-routes.js';
import { csatRoutes } from './csat-routes.js';
import { portalRoutes } from './portal-routes.js';
import { reportRoutes } from './report-routes.js';
import { setupRoutes } from './setup-routes.js';
import { ticketRoutes } from './ticket-routes.js';

/**
 * Registers the support routes on the services `bootstrap` built: the set whose SLA
 * scheduler runs and that other plugins reach (`ctx.use('support')`), not a second one.
 */
export function supportRoutes(app: PluginApp, ctx: PluginContext<SupportOptions>, services: SupportServices | undefined): void {
  // The kernel mounts routes after bootstrap, which always returns the services.
  if (!services) throw new Error('support: routes mounted before bootstrap returned its services');
  ticketRoutes(app, services);
  setupRoutes(app, services);
  absenceRoutes(app, services);
  portalRoutes(app, services);
  csatRoutes(app, ctx, services);
  cannedRoutes(app, services);
  reportRoutes(app, services);
}
