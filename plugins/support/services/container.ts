/**
 * Builds the plugin's services from its context. Bootstrap calls it, and the routes and
 * other plugins (`ctx.use('support')`) get that set: the kernel hands it to `routes`. The
 * email subscribers, which receive only the context, build their own: the services keep
 * their state in the database (the scheduler's loop is the exception, and only
 * bootstrap's starts it), so a second set shares nothing by accident.
 */
import type { PluginContext } from '../../../core/plugin/index.js';
import type { SupportOptions } from '../options.js';
import { AbsenceService } from './absences.js';
import { CalendarService } from './calendars.js';
import { CannedResponseService } from './canned.js';
import { ComplaintService } from './complaints.js';
import { CsatService } from './csat.js';
import { EmailChannel } from './email-channel.js';
import { FollowUpService } from './follow-ups.js';
import { PortalService } from './portal.js';
import { QueueService } from './queues.js';
import { ReportService } from './reports.js';
import { ResponseClock } from './response-clock.js';
import { SlaScheduler } from './sla-scheduler.js';
import { SlaService } from './sla.js';
import { SupportStore } from './store.js';
import { ReportSummary } from './summary.js';
import { TicketFieldService } from './ticket-fields.js';
import { TicketService } from './tickets.js';

/** Everything the support plugin can do; also what it exports to other plugins. */
export interface SupportServices {
  store: SupportStore;
  calendars: CalendarService;
  sla: SlaService;
  queues: QueueService;
  tickets: TicketService;
  ticketFields: TicketFieldService;
  absences: AbsenceService;
  scheduler: SlaScheduler;
  portal: PortalService;
  csat: CsatService;
  complaints: ComplaintService;
  followUps: FollowUpService;
  canned: CannedResponseService;
  emailChannel: EmailChannel;
  reports: ReportService;
}

/** Wires the services for one kernel. */
export function createSupportServices(ctx: PluginContext<SupportOptions>): SupportServices {
  const base: PluginContext<unknown> = ctx;
  const store = new SupportStore(ctx.db);
  const calendars = new CalendarService(base, store);
  const summary = new ReportSummary(store, ctx.data);
  const sla = new SlaService(base, store, calendars, summary);
  const queues = new QueueService(base, store, calendars);
  const complaints = new ComplaintService(ctx, store);
  const csat = new CsatService(ctx, store, complaints);
  const ticketFields = new TicketFieldService(base);
  const tickets = new TicketService(base, store, sla, queues, csat, complaints, new ResponseClock(store, calendars), summary, ticketFields);
  const scheduler = new SlaScheduler(base, store, sla, calendars, tickets, summary, { intervalMs: ctx.options.schedulerIntervalMs, batchSize: ctx.options.schedulerBatchSize });
  return { store, calendars, sla, queues, tickets, ticketFields, absences: new AbsenceService(base, store, queues, tickets, summary), scheduler, portal: new PortalService(base, store, tickets), csat, complaints, followUps: new FollowUpService(base), canned: new CannedResponseService(ctx, tickets), reports: new ReportService(base, store, queues), emailChannel: new EmailChannel(base, store, tickets) };
}
