/**
 * The sales plugin: leads (capture, deduplication, assignment, scoring, conversion),
 * pipelines and deals, tasks with a durable reminder scheduler, and forecasts and
 * reports on Gregorian or Persian periods. Wiring only; the logic is in `services/`.
 */
import { definePlugin } from '../../core/plugin/index.js';
import { seedSalesDemo } from './demo.js';
import { salesEventSchemas } from './events.js';
import { pipelinesDealsMigration } from './migrations/001_pipelines_deals.js';
import { leadsMigration } from './migrations/002_leads.js';
import { tasksMigration } from './migrations/003_tasks.js';
import { settingsMigration } from './migrations/004_settings.js';
import { leadOpenKeysMigration } from './migrations/005_lead_open_keys.js';
import { webFormHitsMigration } from './migrations/006_web_form_hits.js';
import { reportIndexesMigration } from './migrations/007_report_indexes.js';
import { salesOptionsSchema, type SalesOptions } from './options.js';
import { salesPermissions, salesScopedResources } from './permissions.js';
import { salesRoutes } from './routes/index.js';
import { createSalesServices, type SalesServices } from './services/container.js';
import { dealEntity, leadEntity } from './services/imports.js';
import { customerDeletedSubscriber } from './subscribers/customer-deleted.js';
import { customerMergedSubscriber } from './subscribers/customer-merged.js';
import { leadRescoringSubscriber } from './subscribers/lead-rescoring.js';

export type { SalesServices } from './services/container.js';
export type { SalesOptions } from './options.js';

/** The sales plugin definition. */
export default definePlugin<SalesOptions, SalesServices>({
  name: 'sales',
  version: '0.1.0',
  core: '^0.1.0',
  options: salesOptionsSchema,
  permissions: salesPermissions,
  scopedResources: salesScopedResources,
  migrations: [pipelinesDealsMigration, leadsMigration, tasksMigration, settingsMigration, leadOpenKeysMigration, webFormHitsMigration, reportIndexesMigration],
  events: salesEventSchemas,
  subscribers: [customerMergedSubscriber, customerDeletedSubscriber, leadRescoringSubscriber],
  routes: salesRoutes,
  // Defined by widgets/index.ts, built into this plugin's own chunk (docs/plugins.md, Widgets).
  widgets: ['peyvand-deal-board', 'peyvand-forecast', 'peyvand-lead-form'],
  bootstrap(ctx) {
    const services = createSalesServices(ctx);
    // Leads and deals through core's import and export (docs/import.md).
    ctx.imports.register(leadEntity(ctx.imports, services.leads));
    ctx.imports.register(dealEntity(ctx.imports, ctx, services.deals, services.store));
    // One-shot CLI commands and hand-driven tests run no loops; servers do.
    if (ctx.background) services.scheduler.start();
    return services;
  },
  async close(_ctx, services) {
    await services?.scheduler.stop();
  },
  demo: seedSalesDemo,
});
