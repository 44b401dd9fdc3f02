/**
 * The events the loyalty plugin emits and their data shapes, merged into core's typed
 * event map. Each is written through `ctx.events` in the transaction of its change.
 */
import type { LedgerEntryDto } from './services/balance.js';
import type { RewardDto } from './services/rewards.js';

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
import type { TierRef } from './services/tiers.js';

declare module '../../core/plugin/index.js' {
  interface PeyvandEvents {
    'loyalty.points_earned': { customerId: string; entry: LedgerEntryDto };
    'loyalty.points_redeemed': { customerId: string; entry: LedgerEntryDto };
    'loyalty.points_expired': { customerId: string; entry: LedgerEntryDto };
    'loyalty.points_reversed': { customerId: string; entry: LedgerEntryDto };
    'loyalty.points_adjusted': { customerId: string; entry: LedgerEntryDto };
    'loyalty.tier_changed': { customerId: string; from: TierRef | null; to: TierRef | null; direction: 'up' | 'down' };
    'loyalty.reward_redeemed': { customerId: string; rewardId: string; redemptionId: string; cost: number };
    'loyalty.program_updated': { version: number };
    'loyalty.reward_created': { reward: RewardDto };
    'loyalty.redemption_used': { redemptionId: string; rewardId: string; customerId: string };
    'loyalty.referral_code_created': { customerId: string };
    'loyalty.referral_applied': { customerId: string; referredBy: string };
    'customer.stage_changed': { customerId: string; from: string | null; to: string };
  }
}

/** The `events` declaration of the plugin: every type it emits. */
export const loyaltyEventSchemas: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries(
  Object.values(LOYALTY_EVENTS).map((type) => [type, { type: 'object' }]),
);
