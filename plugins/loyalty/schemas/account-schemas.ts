/** JSON Schemas of accounts, ledger entries, adjustments, rewards and referrals. */
import { id, line, nullable, obj, points, positivePoints, str } from './common.js';

/** `{customerId}` path parameter. */
export const customerParams = { type: 'object', additionalProperties: false, required: ['customerId'], properties: { customerId: { type: 'string', maxLength: 64 } } } as const;

/** `{code}` path parameter. */
export const codeParams = { type: 'object', additionalProperties: false, required: ['code'], properties: { code: str(32, 1) } } as const;

const tier = obj({
  key: { type: 'string' },
  name: { type: 'string' },
  since: { type: 'string' },
  progress: { type: 'number' },
  next: nullable(obj({ key: { type: 'string' }, name: { type: 'string' }, threshold: { type: 'integer' }, value: { type: 'integer' } })),
});

/** An account. */
export const accountSchema = obj({
  customerId: { type: 'string' },
  available: { type: 'integer' },
  locked: { type: 'integer' },
  lifetime: { type: 'integer' },
  expiringSoon: { type: 'array', items: obj({ points: { type: 'integer' }, at: { type: 'string' } }) },
  tier: nullable(tier),
});

/** A ledger entry. */
export const entrySchema = obj({
  id: { type: 'string' },
  type: { type: 'string', enum: ['earn', 'redeem', 'expire', 'adjust', 'reverse'] },
  points: { type: 'integer' },
  reason: { type: 'string' },
  source: obj({ type: { type: 'string' }, id: { type: ['string', 'null'] } }),
  at: { type: 'string' },
  unlockAt: { type: 'string' },
  expiresAt: { type: 'string' },
}, ['id', 'type', 'points', 'reason', 'source', 'at']);

/** Body of `POST /adjustments`: a signed, non-zero correction. */
export const adjustmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'points', 'reason'],
  properties: { customerId: id, points: { ...points, not: { const: 0 } }, reason: str(200, 1) },
} as const;

/** Body of `POST /rewards`. */
export const rewardInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'cost'],
  properties: { name: line(200, 1), cost: { ...positivePoints, minimum: 1 }, stock: { type: 'integer', minimum: 0, maximum: 1_000_000_000 }, tier: str(64, 1), partner: line(200, 1), validUntil: { type: 'string', format: 'date-time' } },
} as const;

/** A reward. */
export const rewardSchema = obj({
  id: { type: 'string' },
  name: { type: 'string' },
  cost: { type: 'integer' },
  stock: { type: ['integer', 'null'] },
  tier: { type: ['string', 'null'] },
  partner: { type: ['string', 'null'] },
  validUntil: { type: ['string', 'null'] },
  createdAt: { type: 'string' },
});

/** Body of `POST /rewards/{id}/redeem`. */
export const redeemSchema = { type: 'object', additionalProperties: false, required: ['customerId'], properties: { customerId: id } } as const;

/** Answer of a redemption. */
export const redemptionSchema = obj({ redemptionId: { type: 'string' }, code: { type: 'string' } });

/** A redemption looked up by code. */
export const redemptionStatusSchema = obj({ redemptionId: { type: 'string' }, rewardId: { type: 'string' }, customerId: { type: 'string' }, code: { type: 'string' }, createdAt: { type: 'string' }, usedAt: { type: ['string', 'null'] } });

/** Body of `POST /referrals/apply`. */
export const referralApplySchema = { type: 'object', additionalProperties: false, required: ['customerId', 'code'], properties: { customerId: id, code: str(32, 1) } } as const;
