/**
 * JSON Schemas of the data of the loyalty plugin's events: closed, every field present, as
 * the emitters write them (services/ledger.ts, tiers.ts, rewards.ts, referrals.ts,
 * program.ts, stages.ts). The payload types in `PeyvandEvents` (events.ts), `TierRef` and
 * a ledger entry's `EntrySource` are derived from them.
 */
import { entrySchema, rewardSchema } from './account-schemas.js';
import { obj } from './common.js';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;

/** What a ledger entry came from. The response schema types `type` as any string; events and the service say which. */
export const entrySourceSchema = obj({ type: { type: 'string', enum: ['order', 'reward', 'rule', 'user', 'referral', 'lot'] }, id: nullableStr });

/** A tier as events show it. */
export const tierRefSchema = obj({ key: str, name: str });

const tierOrNone = { anyOf: [tierRefSchema, { type: 'null' }] } as const;
// The entry as the API shows it, with its source narrowed as above.
const ledgerEvent = obj({ customerId: str, entry: { ...entrySchema, properties: { ...entrySchema.properties, source: entrySourceSchema } } });

/** Loyalty event types, each with the schema of its data. */
export const loyaltyEventSchemas = {
  'loyalty.points_earned': ledgerEvent,
  'loyalty.points_redeemed': ledgerEvent,
  'loyalty.points_expired': ledgerEvent,
  'loyalty.points_reversed': ledgerEvent,
  'loyalty.points_adjusted': ledgerEvent,
  'loyalty.tier_changed': obj({ customerId: str, from: tierOrNone, to: tierOrNone, direction: { type: 'string', enum: ['up', 'down'] } }),
  'loyalty.reward_redeemed': obj({ customerId: str, rewardId: str, redemptionId: str, cost: int }),
  'loyalty.program_updated': obj({ version: int }),
  'loyalty.reward_created': obj({ reward: rewardSchema }),
  'loyalty.redemption_used': obj({ redemptionId: str, rewardId: str, customerId: str }),
  'loyalty.referral_code_created': obj({ customerId: str }),
  'loyalty.referral_applied': obj({ customerId: str, referredBy: str }),
  'customer.stage_changed': obj({ customerId: str, from: nullableStr, to: str }),
} as const;
