/** `/reports/*`: forecast, weighted pipeline, win rate, funnel — within your record scope. */
import type { FastifyInstance } from 'fastify';
import { actorOf, requestLanguage } from '../../../core/index.js';
import type { SalesServices } from '../services/container.js';
import type { ForecastQuery } from '../services/forecast.js';
import type { ReportGrouping } from '../services/reports.js';
import { problemSchema } from '../schemas/common.js';
import { forecastQuery, forecastSchema, funnelQuery, funnelSchema, pipelineReportQuery, pipelineReportSchema, winRateQuery, winRateSchema } from '../schemas/report-schemas.js';
import { defined } from './http.js';

const tags = ['sales: reports'];
const config = { permission: 'sales.report.read' };

/** Registers the report routes. */
export function reportRoutes(app: FastifyInstance, { forecasts, reports }: SalesServices): void {
  app.get<{ Querystring: ForecastQuery }>('/reports/forecast', {
    config,
    schema: { summary: 'Forecast by month or quarter, Gregorian or Persian, in the tenant time zone', tags, querystring: forecastQuery, response: { 200: forecastSchema, '4xx': problemSchema } },
  }, async (request) => forecasts.forecast(actorOf(request), defined(request.query), requestLanguage(request)));

  app.get<{ Querystring: { pipelineId?: string; currency?: string; groupBy: 'stage' | 'owner' | 'team' } }>('/reports/pipeline', {
    config,
    schema: { summary: 'Open pipeline value and weighted value by stage, owner or team', tags, querystring: pipelineReportQuery, response: { 200: pipelineReportSchema, '4xx': problemSchema } },
  }, async (request) => reports.pipeline(actorOf(request), defined(request.query)));

  app.get<{ Querystring: { from?: string; to?: string; pipelineId?: string; groupBy: ReportGrouping } }>('/reports/win-rate', {
    config,
    schema: { summary: 'Win rate and average sales cycle of deals closed in a range', tags, querystring: winRateQuery, response: { 200: winRateSchema, '4xx': problemSchema } },
  }, async (request) => reports.winRate(actorOf(request), defined(request.query)));

  app.get<{ Querystring: { from?: string; to?: string; groupBy: ReportGrouping } }>('/reports/funnel', {
    config,
    schema: { summary: 'Lead-to-customer funnel of leads created in a range', tags, querystring: funnelQuery, response: { 200: funnelSchema, '4xx': problemSchema } },
  }, async (request) => reports.funnel(actorOf(request), defined(request.query)));
}
