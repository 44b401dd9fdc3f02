/**
 * The loyalty widgets' DOM events, added to the runtime's {@link PeyvandEventMap} so hosts
 * and widgets get them typed like core's (`document.addEventListener('peyvand-reward-redeemed', …)`).
 */

/** `peyvand-reward-redeemed`: `<peyvand-rewards>` redeemed a reward; the code is the customer's to use. */
export interface RewardRedeemedDetail {
  customerId: string;
  rewardId: string;
  rewardName: string;
  /** Points spent. */
  cost: number;
  redemptionId: string;
  /** The one-time code the shop or the ERP verifies and marks used. */
  code: string;
}

declare module '../../../widgets/runtime/events.js' {
  interface PeyvandEventMap {
    'peyvand-reward-redeemed': CustomEvent<RewardRedeemedDetail>;
  }
}
