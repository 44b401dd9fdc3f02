/** `/reports/*` and `/customers/{id}/rfm`: RFM, Pareto and win-back over paid orders. */
import { actorOf, requestLanguage, type PluginApp } from '../../../core/plugin/index.js';
import type { LoyaltyServices } from '../services/container.js';
import { idParams, problemSchema } from '../schemas/common.js';
import { asOfQuery, paretoQuery, winBackQuery } from '../schemas/report-queries.js';
import { customerRfmSchema, paretoSchema, rfmReportSchema, winBackSchema } from '../schemas/report-schemas.js';

const tags = ['loyalty: reports'];
const config = { permission: 'loyalty.report.read' };

/** Registers the report routes. */
export function reportRoutes(app: PluginApp, { analytics, accounts }: LoyaltyServices): void {
  app.get('/reports/rfm', {
    config,
    schema: { summary: 'RFM segment distribution of paying customers (quintiles, as of a day)', description: 'How many paying customers fall in each RFM segment, and their revenue (paid less returned, in the program’s currency); R, F and M are quintile scores over the tenant’s paying customers. `asOf` (a date in the tenant’s time zone) counts orders up to the end of that day, default today; segment names follow Accept-Language.', operationId: 'loyalty.report.rfm', tags, querystring: asOfQuery, response: { 200: rfmReportSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    return analytics.rfm(actor, request.query, await accounts.timeZone(actor.tenantId), requestLanguage(request));
  });

  app.get('/customers/:id/rfm', {
    config,
    schema: { summary: 'A customer’s RFM scores, segment and lifecycle stage', description: 'One customer’s R, F and M scores (1–5), RFM segment and lifecycle stage, as of the end of `asOf` (default today); scores and segment are null for a customer without paid orders. A customer you cannot see answers 404.', operationId: 'loyalty.customer.rfm', tags, params: idParams, querystring: asOfQuery, response: { 200: customerRfmSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    return analytics.customer(actor, request.params.id, request.query, await accounts.timeZone(actor.tenantId));
  });

  app.get('/reports/pareto', {
    config,
    schema: { summary: 'The 80/20 report: revenue share of the top 20% of customers and the revenue curve', description: 'The revenue share of the top 20% of customers over the days `from` to `to` in the tenant’s time zone (default: the current year in `calendar`, Gregorian unless given), with the cumulative curve. A range that ends before it starts answers 422 REPORT_RANGE_INVALID.', operationId: 'loyalty.report.pareto', tags, querystring: paretoQuery, response: { 200: paretoSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    return analytics.pareto(actor, request.query, await accounts.timeZone(actor.tenantId));
  });

  app.get('/reports/win-back', {
    config,
    schema: { summary: 'Customers quiet beyond their usual interval (or inactiveDays), most valuable first', description: 'Customers whose last paid order is older than twice their own median gap between orders (at least 30 days), or than `inactiveDays` when given, most valuable first with the reason; a page at a time (`limit`, `cursor`, `nextCursor`).', operationId: 'loyalty.report.win-back', tags, querystring: winBackQuery, response: { 200: winBackSchema, '4xx': problemSchema } },
  }, async (request) => analytics.winBack(actorOf(request), request.query));
}
