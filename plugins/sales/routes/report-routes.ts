/** `/reports/*`: forecast, weighted pipeline, win rate, funnel — within your record scope. */
import { actorOf, defined, requestLanguage, type PluginApp } from '../../../core/plugin/index.js';
import type { SalesServices } from '../services/container.js';
import { problemSchema } from '../schemas/common.js';
import { forecastQuery, forecastSchema, funnelQuery, funnelSchema, pipelineReportQuery, pipelineReportSchema, winRateQuery, winRateSchema } from '../schemas/report-schemas.js';

const tags = ['sales: reports'];
const config = { permission: 'sales.report.read' };

/** Registers the report routes. */
export function reportRoutes(app: PluginApp, { forecasts, reports }: SalesServices): void {
  app.get('/reports/forecast', {
    config,
    schema: { operationId: 'sales.report.forecast', summary: 'Forecast by month or quarter, Gregorian or Persian, in the tenant time zone', description: 'Open deals by expected close date: total and probability-weighted amounts per period, in the Gregorian or Persian calendar (default: the tenant\'s) and the tenant\'s time zone.', tags, querystring: forecastQuery, response: { 200: forecastSchema, '4xx': problemSchema } },
  }, async (request) => forecasts.forecast(actorOf(request), defined(request.query), requestLanguage(request)));

  app.get('/reports/pipeline', {
    config,
    schema: { operationId: 'sales.report.pipeline', summary: 'Open pipeline value and weighted value by stage, owner or team', description: 'What is open now, grouped by stage, owner or team: deal count, total and weighted amounts.', tags, querystring: pipelineReportQuery, response: { 200: pipelineReportSchema, '4xx': problemSchema } },
  }, async (request) => reports.pipeline(actorOf(request), defined(request.query)));

  app.get('/reports/win-rate', {
    config,
    schema: { operationId: 'sales.report.win-rate', summary: 'Win rate and average sales cycle of deals closed in a range', description: 'Of the deals closed between `from` and `to`: how many were won, and the average days from creation to close.', tags, querystring: winRateQuery, response: { 200: winRateSchema, '4xx': problemSchema } },
  }, async (request) => reports.winRate(actorOf(request), defined(request.query)));

  app.get('/reports/funnel', {
    config,
    schema: { operationId: 'sales.report.funnel', summary: 'Lead-to-customer funnel of leads created in a range', description: 'Of the leads created between `from` and `to`: how many reached each status, and how many became customers and deals.', tags, querystring: funnelQuery, response: { 200: funnelSchema, '4xx': problemSchema } },
  }, async (request) => reports.funnel(actorOf(request), defined(request.query)));
}
