/**
 * The rows of the customer registry's tables (migration 002) as the drivers of the three
 * databases return them: snake_case columns as stored, instants in epoch milliseconds
 * (BIGINT: a string on PostgreSQL), JSON as text. The search index's tables are the
 * dialects' own (`customers/search-index/`) and are not declared here.
 *
 * @module
 */
import type { BigIntColumn, JsonTextColumn } from '../../plugin/data.js';

/** `customers`: a person or an organization. */
export interface CustomerRow {
  id: string;
  tenant_id: string;
  kind: string;
  name: string;
  given_name: string | null;
  family_name: string | null;
  organization_id: string | null;
  /** `LabeledValue[]` as JSON. */
  emails: JsonTextColumn;
  /** `LabeledValue[]` as JSON. */
  phones: JsonTextColumn;
  /** `Address[]` as JSON. */
  addresses: JsonTextColumn;
  /** `string[]` as JSON (also kept one per row in `customer_tags`, for filtering). */
  tags: JsonTextColumn;
  /** The custom fields object as JSON. */
  custom_fields: JsonTextColumn;
  /** `ExternalRef[]` as JSON (also kept one per row in `customer_refs`, for lookups). */
  external_refs: JsonTextColumn;
  locale: string | null;
  owner_id: string | null;
  team_id: string | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `customer_tags`: one tag of a customer. */
export interface CustomerTagRow {
  tenant_id: string;
  tag: string;
  customer_id: string;
}

/** `customer_identities`: a normalized email, phone or name duplicate detection matches on. */
export interface CustomerIdentityRow {
  tenant_id: string;
  kind: string;
  value: string;
  customer_id: string;
}

/** `customer_refs`: an external reference (`source`, `external_id`) held by one customer. */
export interface CustomerRefRow {
  tenant_id: string;
  source: string;
  external_id: string;
  customer_id: string;
}

/** `timeline`: an interaction with a customer. */
export interface TimelineRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  channel: string;
  direction: string | null;
  summary: string;
  occurred_at: BigIntColumn;
  actor: string | null;
  source: string;
  created_at: BigIntColumn;
}

/** The customer registry's entries of `CoreTables`. */
export interface CustomerTables {
  customers: CustomerRow;
  customer_tags: CustomerTagRow;
  customer_identities: CustomerIdentityRow;
  customer_refs: CustomerRefRow;
  timeline: TimelineRow;
}
