/** JSON Schemas of the analytics reports. */
import { date, obj, pageQuery } from './common.js';
import { SEGMENTS } from '../services/analytics.js';

/** `?asOf=` of the RFM reports. */
export const asOfQuery = { type: 'object', additionalProperties: false, properties: { asOf: date } };

/** The segment distribution. */
export const rfmReportSchema = obj({
  asOf: { type: 'string' },
  customers: { type: 'integer' },
  segments: { type: 'array', items: obj({ key: { type: 'string', enum: [...SEGMENTS] }, name: { type: 'string' }, count: { type: 'integer' }, revenue: { type: 'integer' } }) },
});

/** One customer's scores. */
export const customerRfmSchema = obj({
  r: { type: ['integer', 'null'] },
  f: { type: ['integer', 'null'] },
  m: { type: ['integer', 'null'] },
  segment: { type: ['string', 'null'] },
  stage: { type: 'string', enum: ['prospect', 'first_purchase', 'repeat', 'loyal', 'lapsed'] },
});

/** `?from=&to=&calendar=` of the Pareto report. */
export const paretoQuery = { type: 'object', additionalProperties: false, properties: { from: date, to: date, calendar: { type: 'string', enum: ['gregorian', 'persian'] } } };

/** The Pareto report. */
export const paretoSchema = obj({
  from: { type: 'string' },
  to: { type: 'string' },
  calendar: { type: 'string' },
  customers: { type: 'integer' },
  revenue: { type: 'integer' },
  topCustomersShare: { type: 'number' },
  revenueShare: { type: 'number' },
  curve: { type: 'array', items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number' } } },
});

/** `?inactiveDays=&limit=&cursor=` of the win-back list. */
export const winBackQuery = { type: 'object', additionalProperties: false, properties: { inactiveDays: { type: 'integer', minimum: 1, maximum: 3650 }, ...pageQuery } };

/** The win-back list. */
export const winBackSchema = obj({
  items: {
    type: 'array',
    items: obj({
      customerId: { type: 'string' },
      lastOrderAt: { type: 'string' },
      usualIntervalDays: { type: ['number', 'null'] },
      daysSince: { type: 'integer' },
      pastValue: { type: 'integer' },
      reason: { type: 'string', enum: ['beyond_usual_interval', 'no_repeat_order', 'inactive_days'] },
    }),
  },
  nextCursor: { type: ['string', 'null'] },
});
