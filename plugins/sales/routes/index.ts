/** Every sales route, mounted by the kernel at `/api/v1/sales`. */
import type { PluginApp, PluginContext } from '../../../core/plugin/index.js';
import type { SalesOptions } from '../options.js';
import { createSalesServices } from '../services/container.js';
import { dealRoutes } from './deal-routes.js';
import { leadRoutes } from './lead-routes.js';
import { pipelineRoutes } from './pipeline-routes.js';
import { reportRoutes } from './report-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { taskRoutes } from './task-routes.js';

/** Registers the sales routes. */
export function salesRoutes(app: PluginApp, ctx: PluginContext<SalesOptions>): void {
  const services = createSalesServices(ctx);
  pipelineRoutes(app, services);
  dealRoutes(app, services);
  leadRoutes(app, services);
  taskRoutes(app, services);
  reportRoutes(app, services);
  settingsRoutes(app, services);
}
