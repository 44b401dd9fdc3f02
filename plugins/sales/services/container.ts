/**
 * Builds the plugin's services from its context. Routes, subscribers and bootstrap each
 * call it: the services hold no state of their own (the scheduler's loop is the
 * exception, and only bootstrap starts it; counts and claims live in the database), so
 * building them twice is cheap and shares nothing by accident.
 */
import type { PluginContext } from '../../../core/plugin/index.js';
import type { SalesOptions } from '../options.js';
import { ConversionService } from './conversion.js';
import { CustomerChanges } from './customer-changes.js';
import { DealService } from './deals.js';
import { ForecastService } from './forecast.js';
import { LeadAssignment } from './lead-assignment.js';
import { LeadScoring } from './lead-scoring.js';
import { LeadService } from './leads.js';
import { PipelineService } from './pipelines.js';
import { ReportService } from './reports.js';
import { SettingsService } from './settings.js';
import { SalesStore } from './store.js';
import { TaskScheduler } from './task-scheduler.js';
import { SystemWrites } from './system-writes.js';
import { TaskService } from './tasks.js';
import { WebFormService } from './web-forms.js';
import { WebLeadLimiter } from './web-lead-limit.js';

/** Everything the sales plugin can do; also what it exports to other plugins. */
export interface SalesServices {
  store: SalesStore;
  settings: SettingsService;
  pipelines: PipelineService;
  deals: DealService;
  leads: LeadService;
  scoring: LeadScoring;
  conversion: ConversionService;
  tasks: TaskService;
  scheduler: TaskScheduler;
  forecasts: ForecastService;
  reports: ReportService;
  webForms: WebFormService;
  customerChanges: CustomerChanges;
}

/** Wires the services for one kernel. */
export function createSalesServices(ctx: PluginContext<SalesOptions>): SalesServices {
  const base: PluginContext<unknown> = ctx;
  const store = new SalesStore(ctx.data);
  const settings = new SettingsService(base, store);
  const pipelines = new PipelineService(base, store, settings);
  const deals = new DealService(base, store, pipelines, settings);
  const scoring = new LeadScoring(base, store, settings);
  const leads = new LeadService(base, store, settings, new LeadAssignment(store), scoring);
  const forecasts = new ForecastService(base, store, pipelines, settings);
  const tasks = new TaskService(base, store, ctx.options.reminderMinutesBefore);
  return {
    store,
    settings,
    pipelines,
    deals,
    leads,
    scoring,
    conversion: new ConversionService(base, store, leads, deals),
    tasks,
    scheduler: new TaskScheduler(base, store, { intervalMs: ctx.options.schedulerIntervalMs, batchSize: ctx.options.schedulerBatchSize }),
    forecasts,
    reports: new ReportService(base, store, pipelines, forecasts),
    webForms: new WebFormService(base, store, leads, new WebLeadLimiter(ctx.unscopedKnex, store, ctx.options.webLeadsPerMinute)),
    customerChanges: new CustomerChanges(base, store, new SystemWrites(base, store), deals, tasks),
  };
}
