/**
 * The support plugin: tickets from every channel, queues and assignment, SLA clocks on
 * per-tenant business calendars (Iranian week, Jalali holidays), escalation, the email
 * channel (mail in → tickets and replies, agent replies → mail). Wiring only;
 * the logic is in `services/`.
 */
import { definePlugin } from '../../core/plugin/index.js';
import { seedSupportDemo } from './demo.js';
import { supportEventSchemas } from './events.js';
import { supportMigration } from './migrations/001_support.js';
import { supportCsatMigration } from './migrations/002_csat_complaints.js';
import { supportReportMigration } from './migrations/003_report_figures.js';
import { supportEmailChannelMigration } from './migrations/004_email_channel.js';
import { supportTargetsIndexMigration } from './migrations/005_ticket_targets_index.js';
import { supportReportSummaryMigration } from './migrations/006_report_summary.js';
import { supportTicketFieldsMigration } from './migrations/007_ticket_fields.js';
import { supportAbsencesMigration } from './migrations/008_agent_absences.js';
import { supportFollowUpsMigration } from './migrations/009_complaint_follow_ups.js';
import { supportUndecidedTargetsMigration } from './migrations/010_undecided_targets_index.js';
import { supportOptionsSchema, type SupportOptions } from './options.js';
import { supportPermissions, supportScopedResources } from './permissions.js';
import { supportRoutes } from './routes/index.js';
import { createSupportServices, type SupportServices } from './services/container.js';
import { emailInboundSubscriber, emailOutboundSubscriber } from './subscribers/email.js';

export type { SupportServices } from './services/container.js';
export type { SupportOptions } from './options.js';

/** The support plugin definition. */
export default definePlugin<SupportOptions, SupportServices>({
  name: 'support',
  version: '0.1.0',
  dependsOn: ['email'],
  core: '^0.1.0',
  options: supportOptionsSchema,
  permissions: supportPermissions,
  scopedResources: supportScopedResources,
  migrations: [supportMigration, supportCsatMigration, supportReportMigration, supportEmailChannelMigration, supportTargetsIndexMigration, supportReportSummaryMigration, supportTicketFieldsMigration, supportAbsencesMigration, supportFollowUpsMigration, supportUndecidedTargetsMigration],
  events: supportEventSchemas,
  routes: supportRoutes,
  widgets: ['peyvand-ticket-list', 'peyvand-ticket-view', 'peyvand-ticket-form', 'peyvand-csat', 'peyvand-support-portal'],
  subscribers: [emailInboundSubscriber, emailOutboundSubscriber],
  bootstrap(ctx) {
    const services = createSupportServices(ctx);
    // One-shot CLI commands and hand-driven tests run no loops; servers do.
    if (ctx.background) services.scheduler.start();
    return services;
  },
  async close(_ctx, services) {
    await services?.scheduler.stop();
  },
  demo: seedSupportDemo,
});
