/** JSON Schemas of the period reports' query and answers (SLA, response times, CSAT, backlog). */
import { id, obj } from './common.js';

const int = { type: 'integer' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const text = { type: 'string' } as const;

/** Query of every period report. */
export const periodReportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date', description: 'First local day (tenant time zone), `YYYY-MM-DD`; default: twelve months (four quarters) back.' },
    to: { type: 'string', format: 'date', description: 'Day after the last local day counted (exclusive); default tomorrow.' },
    period: { type: 'string', enum: ['month', 'quarter'], default: 'month' },
    // No default here: the service uses the tenant's calendar (persian for fa).
    calendar: { type: 'string', enum: ['gregorian', 'persian'], description: 'Calendar of the periods and labels; default the tenant\'s (persian for fa).' },
    queueId: id,
  },
} as const;

const head = { timeZone: text, calendar: text, period: text, queueId: text } as const;
const headRequired = ['timeZone', 'calendar', 'period', 'periods'] as const;
const periodHead = { key: text, label: text, start: text, end: text } as const;
/** The periods of an answer: each has its head and `properties`, all of them required (listed in `required`, in their order). */
const periodOf = <const P extends Record<string, object>, const R extends ReadonlyArray<keyof P & string>>(properties: P, required: R) =>
  ({ type: 'array', items: obj({ ...periodHead, ...properties }, ['key', 'label', 'start', 'end', ...required]) }) as const;

const slaFigures = { met: int, breached: int, open: int, metPercent: nullableNumber } as const;
const slaGroups = { type: 'array', items: obj({ key: { type: ['string', 'null'] }, name: text, ...slaFigures }, ['key', 'met', 'breached', 'open', 'metPercent']) } as const;

/** Answer of GET /reports/sla. */
export const slaReportSchema = obj({ ...head, periods: periodOf({ ...slaFigures, byKind: slaGroups, byPolicy: slaGroups, byQueue: slaGroups, byAgent: slaGroups }, ['met', 'breached', 'open', 'metPercent', 'byKind', 'byPolicy', 'byQueue', 'byAgent']) }, headRequired);

const timeFigures = obj({ count: int, p50Minutes: nullableNumber, p90Minutes: nullableNumber, averageMinutes: nullableNumber }, ['count', 'p50Minutes', 'p90Minutes', 'averageMinutes']);

/** Answer of GET /reports/response-times. */
export const responseTimesSchema = obj({ ...head, periods: periodOf({ firstResponse: timeFigures, resolution: timeFigures }, ['firstResponse', 'resolution']) }, headRequired);

// Quoted keys (the same object): unquoted numeric keys do not make a type through `SchemaType`.
const distribution = obj({ '1': int, '2': int, '3': int, '4': int, '5': int }, ['1', '2', '3', '4', '5']);

/** Answer of GET /reports/csat. */
export const csatReportSchema = obj({ ...head, periods: periodOf({ responses: int, average: nullableNumber, satisfiedPercent: nullableNumber, distribution }, ['responses', 'average', 'satisfiedPercent', 'distribution']) }, headRequired);

const ages = { type: 'array', items: obj({ key: text, label: text, count: nullableInt }, ['key', 'label', 'count']) } as const;

/** Answer of GET /reports/backlog. */
export const backlogReportSchema = obj({ ...head, periods: periodOf({ created: int, resolved: int, asOf: { type: ['string', 'null'] }, open: nullableInt, ages }, ['created', 'resolved', 'asOf', 'open', 'ages']) }, headRequired);
