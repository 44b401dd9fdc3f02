/** JSON Schema of the loyalty program (`PUT|GET /program`). */
import { currency, line, obj, positivePoints, str } from './common.js';

const key = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;
const multiplier = { type: 'number', minimum: 0, maximum: 100 } as const;

/** A product or category that earns more (or less). */
export const productMultiplierSchema = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['productRef', 'multiplier'], properties: { productRef: str(200, 1), multiplier } },
    { type: 'object', additionalProperties: false, required: ['category', 'multiplier'], properties: { category: str(200, 1), multiplier } },
  ],
} as const;

const window = {
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['kind', 'months'], properties: { kind: { const: 'rolling' }, months: { type: 'integer', minimum: 1, maximum: 120 } } },
    { type: 'object', additionalProperties: false, required: ['kind', 'calendar'], properties: { kind: { const: 'year' }, calendar: { type: 'string', enum: ['persian', 'gregorian'] } } },
  ],
} as const;

/** A tier, listed from the lowest to the highest in the program. */
export const tierSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'name', 'threshold', 'basis', 'window', 'multiplier'],
  properties: { key, name: line(100, 1), threshold: positivePoints, basis: { type: 'string', enum: ['points', 'spend'] }, window, multiplier },
} as const;

const fields = {
  currency,
  earn: {
    type: 'object',
    additionalProperties: false,
    required: ['pointsPerUnit', 'unit'],
    properties: {
      pointsPerUnit: { type: 'integer', minimum: 0, maximum: 1_000_000 },
      unit: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000 },
      productMultipliers: { type: 'array', maxItems: 500, items: productMultiplierSchema },
      firstOrderBonus: positivePoints,
      birthdayBonus: positivePoints,
    },
  },
  lockDays: { type: 'integer', minimum: 0, maximum: 365 },
  expiryMonths: { type: 'integer', minimum: 0, maximum: 240 },
  tiers: { type: 'array', maxItems: 20, items: tierSchema },
  referral: { type: 'object', additionalProperties: false, required: ['referrerPoints', 'refereePoints'], properties: { referrerPoints: positivePoints, refereePoints: positivePoints } },
} as const;

/** Body of `PUT /program`. */
export const programInputSchema = { type: 'object', additionalProperties: false, required: ['currency', 'earn', 'lockDays', 'expiryMonths', 'tiers'], properties: fields } as const;

/** The program in responses. */
export const programSchema = obj({ ...fields, version: { type: 'integer' }, updatedAt: { type: 'string' } }, ['currency', 'earn', 'lockDays', 'expiryMonths', 'tiers', 'version', 'updatedAt']);
