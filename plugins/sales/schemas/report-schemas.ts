/** JSON Schemas of the reports' queries and responses. */
import { currency, date, id, obj, principal } from './common.js';

const range = { from: date, to: date } as const;
const grouping = { type: 'string', enum: ['none', 'owner', 'team'], default: 'none' } as const;
const nullableKey = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const ratio = { type: ['number', 'null'] } as const;
const q = <const P extends Record<string, object>>(properties: P) => ({ type: 'object', additionalProperties: false, properties }) as const;

/** GET /reports/forecast query. */
export const forecastQuery = q({
  pipelineId: id,
  period: { type: 'string', enum: ['month', 'quarter'], default: 'month' },
  // No default here: the service uses the tenant's calendar (persian for fa).
  calendar: { type: 'string', enum: ['gregorian', 'persian'] },
  ...range,
  ownerId: principal,
  teamId: principal,
  currency,
});

/** GET /reports/forecast response. */
export const forecastSchema = obj({
  currency: { type: 'string' },
  timeZone: { type: 'string' },
  calendar: { type: 'string', enum: ['gregorian', 'persian'] },
  period: { type: 'string', enum: ['month', 'quarter'] },
  periods: { type: 'array', items: obj({ key: { type: 'string' }, label: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, weighted: int, total: int, count: int }, ['key', 'label', 'start', 'end', 'weighted', 'total', 'count']) },
}, ['currency', 'timeZone', 'calendar', 'period', 'periods']);

/** GET /reports/pipeline query. */
export const pipelineReportQuery = q({ pipelineId: id, currency, groupBy: { type: 'string', enum: ['stage', 'owner', 'team'], default: 'stage' } });

/** GET /reports/pipeline response. */
export const pipelineReportSchema = obj({
  currency: { type: 'string' },
  items: { type: 'array', items: obj({ key: nullableKey, name: { type: 'string' }, probability: int, count: int, total: int, weighted: int }, ['key', 'count', 'total', 'weighted']) },
}, ['currency', 'items']);

/** GET /reports/win-rate query. */
export const winRateQuery = q({ ...range, pipelineId: id, groupBy: grouping });

/** GET /reports/win-rate response. */
export const winRateSchema = obj({
  items: { type: 'array', items: obj({ key: nullableKey, won: int, lost: int, winRate: ratio, averageCycleDays: ratio }, ['key', 'won', 'lost', 'winRate', 'averageCycleDays']) },
}, ['items']);

/** GET /reports/funnel query. */
export const funnelQuery = q({ ...range, groupBy: grouping });

/** GET /reports/funnel response. */
export const funnelSchema = obj({
  items: { type: 'array', items: obj({ key: nullableKey, created: int, contacted: int, qualified: int, converted: int, disqualified: int, won: int, conversionRate: ratio }, ['key', 'created', 'contacted', 'qualified', 'converted', 'disqualified', 'won', 'conversionRate']) },
}, ['items']);
