/**
 * The rows of the loyalty tables as the database returns them (migration 001), and their
 * entry in the data layer's table map. Columns are snake_case as stored; instants and
 * points are BIGINT, the program's config and a ledger entry's detail JSON in TEXT.
 */
import type { BigIntColumn, JsonTextColumn } from '../../../core/plugin/index.js';

/** `loyalty_programs`: one per tenant. */
export interface ProgramRow {
  tenant_id: string;
  /** The `Program` as JSON. */
  config: JsonTextColumn;
  version: number;
  updated_at: BigIntColumn;
}

/** `loyalty_accounts`: one per customer with loyalty activity; its lock serializes balance writes. */
export interface AccountRow {
  tenant_id: string;
  customer_id: string;
  tier_key: string | null;
  tier_since: BigIntColumn | null;
  stage: string | null;
  referral_code: string | null;
  referred_by: string | null;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `loyalty_ledger`: points earned, spent, expired or adjusted. */
export interface LedgerEntryRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  type: string;
  points: BigIntColumn;
  reason: string;
  source_type: string;
  source_id: string | null;
  /** What makes a write happen once: `earn:<orderId>`, `expire:<lotId>`, … */
  idem_key: string;
  lot_id: string | null;
  at: BigIntColumn;
  effective_at: BigIntColumn;
  unlock_at: BigIntColumn | null;
  expires_at: BigIntColumn | null;
  detail: JsonTextColumn | null;
}

/** `loyalty_schedule`: a customer's next timed change (expiry, tier review, …). */
export interface ScheduleRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  kind: string;
  ref_id: string | null;
  due_at: BigIntColumn;
}

/** `loyalty_rewards`. */
export interface RewardRow {
  id: string;
  tenant_id: string;
  name: string;
  cost: BigIntColumn;
  stock: number | null;
  tier: string | null;
  partner: string | null;
  valid_until: BigIntColumn | null;
  created_at: BigIntColumn;
}

/** `loyalty_redemptions`. */
export interface RedemptionRow {
  id: string;
  tenant_id: string;
  reward_id: string;
  customer_id: string;
  code: string;
  ledger_id: string;
  created_at: BigIntColumn;
  used_at: BigIntColumn | null;
}

/** `loyalty_orders`: the ERP orders points are earned on. */
export interface LoyaltyOrderRow {
  tenant_id: string;
  order_id: string;
  customer_id: string | null;
  currency: string;
  total: BigIntColumn;
  returned: BigIntColumn;
  status: string;
  placed_at: BigIntColumn;
  paid_at: BigIntColumn | null;
  version: number;
}

declare module '../../../core/plugin/index.js' {
  interface PluginTables {
    loyalty_programs: ProgramRow;
    loyalty_accounts: AccountRow;
    loyalty_ledger: LedgerEntryRow;
    loyalty_schedule: ScheduleRow;
    loyalty_rewards: RewardRow;
    loyalty_redemptions: RedemptionRow;
    loyalty_orders: LoyaltyOrderRow;
  }
}
