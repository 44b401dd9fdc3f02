/**
 * The loyalty API responses the loyalty widgets read, derived from the routes' schemas in
 * the OpenAPI document (see `ResponseOf` in peyvand/widgets/runtime; the schemas live in
 * plugins/loyalty/schemas).
 */
import type { ItemOf, ResponseOf } from '../../../widgets/runtime/index.js';

/**
 * `GET /loyalty/accounts/{customerId}`: the balance derived from the ledger, and the tier.
 * `available` is negative while a debt (points reversed after being spent) is open; `locked`
 * is earned but still in the returns window; a tier's `progress` runs 0 to 1 towards the next.
 */
export type LoyaltyAccount = ResponseOf<'loyalty.account.get'>;

/** A ledger entry; `points` is signed, `reason` a code (`order`, `reward`, …) or an adjustment's words. */
export type LedgerEntry = ItemOf<'loyalty.ledger.list'>;

/** A reward of the catalog; `stock` null is unlimited, `tier` null is for everyone. */
export type Reward = ItemOf<'loyalty.reward.list'>;

/** `POST /loyalty/rewards/{id}/redeem`. */
export type Redemption = ResponseOf<'loyalty.reward.redeem', 201>;

/** `GET /loyalty/program`: the widgets read its currency and tiers. */
export type ProgramTiers = ResponseOf<'loyalty.program.get'>;

/** `GET /loyalty/reports/rfm`. */
export type RfmReport = ResponseOf<'loyalty.report.rfm'>;

/** `GET /loyalty/reports/pareto`; `curve` holds `[customerShare, revenueShare]` points, customers best first. */
export type ParetoReport = ResponseOf<'loyalty.report.pareto'>;
