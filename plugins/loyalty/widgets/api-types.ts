/**
 * The loyalty API responses the loyalty widgets read (see /api/v1/openapi.json, `loyalty: …`
 * tags, and the schemas in plugins/loyalty/schemas).
 */

/** `GET /loyalty/accounts/{customerId}`: the balance derived from the ledger, and the tier. */
export interface LoyaltyAccount {
  customerId: string;
  /** Spendable now; negative while a debt (points reversed after being spent) is open. */
  available: number;
  /** Earned but still in the returns window. */
  locked: number;
  lifetime: number;
  expiringSoon: Array<{ points: number; at: string }>;
  tier: {
    key: string;
    name: string;
    since: string;
    /** 0 to 1: the way to the next tier (1 at the top). */
    progress: number;
    next: { key: string; name: string; threshold: number; value: number } | null;
  } | null;
}

/** A ledger entry; `points` is signed. */
export interface LedgerEntry {
  id: string;
  type: 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse';
  points: number;
  /** A code (`order`, `reward`, `first_order_bonus`, …) or, for an adjustment, the user's words. */
  reason: string;
  source: { type: string; id: string | null };
  at: string;
}

/** A reward of the catalog. */
export interface Reward {
  id: string;
  name: string;
  cost: number;
  /** Units left; null is unlimited. */
  stock: number | null;
  /** The tier key a customer needs (or one above); null for everyone. */
  tier: string | null;
  partner: string | null;
  validUntil: string | null;
  createdAt: string;
}

/** `POST /loyalty/rewards/{id}/redeem`. */
export interface Redemption {
  redemptionId: string;
  code: string;
}

/** The tiers of `GET /loyalty/program` (the part the widgets read). */
export interface ProgramTiers {
  currency: string;
  tiers: Array<{ key: string; name: string; threshold: number }>;
}

/** `GET /loyalty/reports/rfm`. */
export interface RfmReport {
  asOf: string;
  customers: number;
  segments: Array<{ key: string; name: string; count: number; revenue: number }>;
}

/** `GET /loyalty/reports/pareto`. */
export interface ParetoReport {
  from: string;
  to: string;
  calendar: string;
  customers: number;
  revenue: number;
  topCustomersShare: number;
  revenueShare: number;
  /** `[customerShare, revenueShare]` points from (0, 0) to (1, 1), customers best first. */
  curve: Array<[number, number]>;
}
