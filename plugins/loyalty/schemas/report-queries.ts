/**
 * Query schemas of the analytics reports and the types derived from them. Apart from
 * the response schemas, which name the segments the analytics service defines, so the
 * service can take these types without an import cycle.
 */
import type { SchemaType } from '../../../core/plugin/index.js';
import { date, pageQuery } from './common.js';

/** `?asOf=` of the RFM reports. */
export const asOfQuery = { type: 'object', additionalProperties: false, properties: { asOf: date } } as const;

/** Query of the RFM reports. */
export type AsOfQuery = SchemaType<typeof asOfQuery>;

/** `?from=&to=&calendar=` of the Pareto report. */
export const paretoQuery = { type: 'object', additionalProperties: false, properties: { from: date, to: date, calendar: { type: 'string', enum: ['gregorian', 'persian'] } } } as const;

/** Query of the Pareto report. */
export type ParetoQuery = SchemaType<typeof paretoQuery>;

/** `?inactiveDays=&limit=&cursor=` of the win-back list. */
export const winBackQuery = { type: 'object', additionalProperties: false, properties: { inactiveDays: { type: 'integer', minimum: 1, maximum: 3650 }, ...pageQuery } } as const;

/** Query of the win-back list; `limit` defaults to 50. */
export type WinBackQuery = SchemaType<typeof winBackQuery>;
