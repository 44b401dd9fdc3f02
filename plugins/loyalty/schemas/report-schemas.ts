/** JSON Schemas of the analytics reports. */
import { obj } from './common.js';
import { SEGMENTS } from '../services/analytics.js';

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
