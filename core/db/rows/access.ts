/**
 * The rows of the access tables — API keys, roles, the permission catalog, the auth epoch
 * and the people directory (migrations 001, 011, 012, 013) — as the drivers of the three
 * databases return them: instants as BIGINT (a string on PostgreSQL), JSON as text.
 *
 * @module
 */
import type { BigIntColumn, JsonTextColumn } from '../../plugin/data.js';

/** `api_keys`: a tenant's API key; the secret is kept only as its hash. */
export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  /** The key's public id, the part of the token before the secret. */
  key_id: string;
  secret_hash: string;
  name: string;
  role: string;
  created_at: BigIntColumn;
  revoked_at: BigIntColumn | null;
}

/** `roles`: a tenant's custom role, or a built-in one the tenant edited. */
export interface RoleRow {
  tenant_id: string;
  name: string;
  /** `string[]` as JSON. */
  permissions: JsonTextColumn;
  /** `Record<resource, RecordScope>` as JSON. */
  scopes: JsonTextColumn;
  /** When the role was last saved: permissions first seen later are pending review. */
  updated_at: BigIntColumn;
}

/** `permission_catalog`: every permission an installed plugin declared, and when it was first seen. */
export interface PermissionCatalogRow {
  name: string;
  plugin: string;
  first_seen_at: BigIntColumn;
}

/** `auth_epoch`: the one row (`id` 1) every credential change raises. */
export interface AuthEpochRow {
  id: number;
  epoch: BigIntColumn;
}

/** `people`: the display name of a subject (user or API key) of a tenant. */
export interface PersonRow {
  tenant_id: string;
  subject: string;
  name: string;
  kind: string;
  updated_at: BigIntColumn;
}

/** The access tables' entries of `CoreTables`. */
export interface AccessTables {
  api_keys: ApiKeyRow;
  roles: RoleRow;
  permission_catalog: PermissionCatalogRow;
  auth_epoch: AuthEpochRow;
  people: PersonRow;
}
