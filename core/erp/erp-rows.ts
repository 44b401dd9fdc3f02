/**
 * The rows of the ERP sync's tables (migrations 010 and 014) as the drivers of the three
 * databases return them: snake_case columns as stored, instants as epoch milliseconds
 * (BIGINT: a string on PostgreSQL), booleans as 0/1 on SQLite and MariaDB, JSON as text.
 * The stores read them with `knex<Row>(table)`; the mappers to the API shapes take them.
 *
 * @module
 */
import type { BigIntColumn, BoolColumn, JsonTextColumn } from '../plugin/data.js';
import type { ErpEntity } from '../plugin/erp.js';
import type { RunStatus, RunTrigger } from './erp-schemas.js';

/** `erp_connections`: one connection of a tenant to an ERP adapter, with its run lease. */
export interface ErpConnectionRow {
  id: string;
  tenant_id: string;
  name: string;
  adapter: string;
  /** The non-secret config keys, as JSON. */
  config: JsonTextColumn;
  /** The secret config keys as JSON, sealed with the secret box. */
  secrets_sealed: string;
  /** `ErpMapping` as JSON. */
  mapping: JsonTextColumn;
  /** `FieldOwnership` as JSON. */
  field_ownership: JsonTextColumn;
  /** `ErpSchedule` as JSON; null: manual and inbound runs only. */
  schedule: JsonTextColumn | null;
  next_run_at: BigIntColumn | null;
  lease_owner: string | null;
  lease_until: BigIntColumn;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  version: number;
}

/** `erp_runs`: a queued, running or finished sync run. */
export interface ErpRunRow {
  id: string;
  tenant_id: string;
  connection_id: string;
  trigger: RunTrigger;
  status: RunStatus;
  dry_run: BoolColumn;
  full: BoolColumn;
  /** `Record<ErpEntity, RunCounts>` as JSON. */
  counts: JsonTextColumn;
  error_code: string | null;
  error_message: string | null;
  /** An inbound run's changes, a push run's `{ customerId }`, as JSON. */
  payload: JsonTextColumn | null;
  attempts: number;
  /** The event a push run answers (one run per event and connection). */
  source_event: string | null;
  not_before: BigIntColumn;
  created_at: BigIntColumn;
  started_at: BigIntColumn | null;
  finished_at: BigIntColumn | null;
}

/** The `payload` of a `push` run: the customer whose CRM change goes to the ERP. */
export interface PushRunPayload {
  customerId: string;
}

/** `erp_run_issues`: a record a run could not apply as it wished (a field conflict among them). */
export interface ErpRunIssueRow {
  id: string;
  tenant_id: string;
  run_id: string;
  entity: ErpEntity;
  external_id: string;
  code: string;
  message: string;
  /** The ERP's raw record as JSON (cut at 64 KiB). */
  payload: JsonTextColumn | null;
}

/** `erp_cursors`: where the next incremental read of an entity starts. */
export interface ErpCursorRow {
  connection_id: string;
  entity: ErpEntity;
  tenant_id: string;
  cursor: string | null;
  updated_at: BigIntColumn;
}

/** `erp_records`: the sync state of one record — its local id and the ERP values last applied. */
export interface ErpRecordRow {
  connection_id: string;
  entity: ErpEntity;
  external_id: string;
  tenant_id: string;
  local_id: string;
  /** The ERP values last applied, as JSON: the base of field ownership. */
  base: JsonTextColumn;
  synced_at: BigIntColumn;
}

/** `erp_inbound_signatures`: a signature already accepted (a replay is refused). */
export interface ErpInboundSignatureRow {
  connection_id: string;
  signature: string;
  received_at: BigIntColumn;
}
