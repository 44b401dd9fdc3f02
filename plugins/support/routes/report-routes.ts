/** `/reports/*` by period: SLA targets met, response times, CSAT, backlog — within your record scope. */
import { actorOf, defined, requestLanguage, type PluginApp } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import { problemSchema } from '../schemas/common.js';
import { backlogReportSchema, csatReportSchema, periodReportQuery, responseTimesSchema, slaReportSchema } from '../schemas/report-schemas.js';

const tags = ['support-reports'];
const config = { permission: 'support.report.read' };
const range = 'Months or quarters of the Gregorian or Persian calendar (default: the tenant\'s) holding the local days `from` to `to` (exclusive) in the tenant\'s time zone, at most 120; every period is listed, an empty one with zero counts and null figures. `queueId` limits the report to one queue.';

/** Registers the period report routes. */
export function reportRoutes(app: PluginApp, { reports }: SupportServices): void {
  app.get('/reports/sla', {
    config,
    schema: { operationId: 'support.report.sla', summary: 'SLA targets met, by period, kind, policy, queue and agent', description: `SLA targets by the period they started in: met in time, breached (late, or running past due), still open, and the share met of those decided — overall and by target kind, policy, queue and assignee. ${range}`, tags, querystring: periodReportQuery, response: { 200: slaReportSchema, '4xx': problemSchema } },
  }, async (request) => reports.sla(actorOf(request), defined(request.query), requestLanguage(request)));

  app.get('/reports/response-times', {
    config,
    schema: { operationId: 'support.report.response-times', summary: 'First-response and resolution times in business time, by period', description: `Business minutes from opening to the first public agent reply (by the period of that reply) and to resolution (by the period of the resolution), on the calendar of the ticket's SLA policy or queue: count, p50 and p90 (nearest rank) and mean. Count and mean are exact. The percentiles come from a per-day histogram of whole business minutes (floored): one bucket per minute below 1,000 minutes, three significant digits above (width 10 from 1,000, 100 from 10,000, …); a percentile is the lower bound of the bucket it falls in — exact below 1,000 minutes, at most 1 % under above. ${range}`, tags, querystring: periodReportQuery, response: { 200: responseTimesSchema, '4xx': problemSchema } },
  }, async (request) => reports.responseTimes(actorOf(request), defined(request.query), requestLanguage(request)));

  app.get('/reports/csat', {
    config,
    schema: { operationId: 'support.report.csat', summary: 'Customer satisfaction by period: average and 1–5 distribution', description: `CSAT answers by the period they were given in: count, average rating, the share of 4 and 5, and how many of each rating. ${range}`, tags, querystring: periodReportQuery, response: { 200: csatReportSchema, '4xx': problemSchema } },
  }, async (request) => reports.csat(actorOf(request), defined(request.query), requestLanguage(request)));

  app.get('/reports/backlog', {
    config,
    schema: { operationId: 'support.report.backlog', summary: 'Backlog by age at the end of each period, with tickets opened and resolved', description: `Per period: tickets opened and resolved in it, and the unresolved tickets at its end (now, for the current period) by age — under a day, 1–3, 3–7, 7–30 days, 30 days or more. A period still to come has null backlog figures. ${range}`, tags, querystring: periodReportQuery, response: { 200: backlogReportSchema, '4xx': problemSchema } },
  }, async (request) => reports.backlog(actorOf(request), defined(request.query), requestLanguage(request)));
}
