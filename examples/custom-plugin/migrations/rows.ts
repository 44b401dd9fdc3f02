/**
 * The claims table's row as the database returns it, declared once next to its
 * migration. Its entry in `PluginTables` types `ctx.data…from('warranty_claims')`.
 */
import type { BigIntColumn } from 'peyvand/plugin';

/** `warranty_claims` (001). */
export interface ClaimRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  /** The ERP's product, as the ERP names it (`odoo:product.product/42`). */
  product_ref: string;
  serial_number: string | null;
  problem: string;
  /** A `ClaimStatus`. */
  status: string;
  resolution: string | null;
  owner_id: string;
  team_id: string | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

declare module 'peyvand/plugin' {
  interface PluginTables {
    warranty_claims: ClaimRow;
  }
}
