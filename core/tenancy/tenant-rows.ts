/**
 * The rows of the tenancy tables (migrations 001, 007 and 015) as the drivers of the three
 * databases return them: instants in epoch milliseconds (BIGINT: a string on PostgreSQL),
 * booleans as 0/1 on SQLite and MariaDB, JSON as text.
 *
 * @module
 */
import type { BigIntColumn, BoolColumn, JsonTextColumn } from '../plugin/data.js';

/** `tenants`: one company using Peyvand. */
export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  locale: string;
  time_zone: string;
  /** `TenantSettings` as JSON. */
  settings: JsonTextColumn;
  /** `EmbedConfig` as JSON, sealed with the secret box; null until set. */
  embed_config: string | null;
  /** Null: the deployment's `PEYVAND_RATE_LIMIT_PER_MINUTE`. */
  rate_limit_per_minute: number | null;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `tenant_plugins`: whether a plugin is enabled for a tenant (no row: disabled). */
export interface TenantPluginRow {
  tenant_id: string;
  plugin: string;
  enabled: BoolColumn;
  updated_at: BigIntColumn;
}

/** `tenant_origins`: a browser origin a tenant's embed configuration allows. */
export interface TenantOriginRow {
  origin: string;
  tenant_id: string;
}
