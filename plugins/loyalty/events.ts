/**
 * The events the loyalty plugin emits and their data types — derived from the schemas
 * the plugin declares (schemas/event-schemas.ts) — merged into core's typed event map.
 * Each is written through `ctx.events` in the transaction of its change.
 */
import type { SchemaType } from '../../core/plugin/index.js';
import { loyaltyEventSchemas } from './schemas/event-schemas.js';

/** Loyalty event types by name. */
export const LOYALTY_EVENTS = {
  pointsEarned: 'loyalty.points_earned',
  pointsRedeemed: 'loyalty.points_redeemed',
  pointsExpired: 'loyalty.points_expired',
  pointsReversed: 'loyalty.points_reversed',
  pointsAdjusted: 'loyalty.points_adjusted',
  tierChanged: 'loyalty.tier_changed',
  rewardRedeemed: 'loyalty.reward_redeemed',
  rewardCreated: 'loyalty.reward_created',
  redemptionUsed: 'loyalty.redemption_used',
  referralCodeCreated: 'loyalty.referral_code_created',
  referralApplied: 'loyalty.referral_applied',
  programUpdated: 'loyalty.program_updated',
  stageChanged: 'customer.stage_changed',
} as const;

export type { TierRef } from './services/tiers.js';

type LoyaltyEventData<T extends keyof typeof loyaltyEventSchemas> = SchemaType<(typeof loyaltyEventSchemas)[T]>;

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'loyalty.points_earned': LoyaltyEventData<'loyalty.points_earned'>;
    'loyalty.points_redeemed': LoyaltyEventData<'loyalty.points_redeemed'>;
    'loyalty.points_expired': LoyaltyEventData<'loyalty.points_expired'>;
    'loyalty.points_reversed': LoyaltyEventData<'loyalty.points_reversed'>;
    'loyalty.points_adjusted': LoyaltyEventData<'loyalty.points_adjusted'>;
    'loyalty.tier_changed': LoyaltyEventData<'loyalty.tier_changed'>;
    'loyalty.reward_redeemed': LoyaltyEventData<'loyalty.reward_redeemed'>;
    'loyalty.program_updated': LoyaltyEventData<'loyalty.program_updated'>;
    'loyalty.reward_created': LoyaltyEventData<'loyalty.reward_created'>;
    'loyalty.redemption_used': LoyaltyEventData<'loyalty.redemption_used'>;
    'loyalty.referral_code_created': LoyaltyEventData<'loyalty.referral_code_created'>;
    'loyalty.referral_applied': LoyaltyEventData<'loyalty.referral_applied'>;
    'customer.stage_changed': LoyaltyEventData<'customer.stage_changed'>;
  }
}

/** The `events` declaration of the plugin: every type it emits, with the schema of its data. */
export { loyaltyEventSchemas };
