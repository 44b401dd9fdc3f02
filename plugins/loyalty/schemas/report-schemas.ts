/** JSON Schemas of the analytics reports. */
import { obj } from './common.js';

/** The RFM segment keys, in the order reports list them. */
export const SEGMENTS = ['champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose', 'hibernating', 'lost'] as const;

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
