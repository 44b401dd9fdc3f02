/**
 * The rows of the tables the HTTP layer and the audit log keep — idempotency records,
 * rate-limit counters, audit entries (migrations 001 and 015) — as the drivers of the
 * three databases return them: instants and counts as BIGINT (a string on PostgreSQL),
 * JSON as text.
 *
 * @module
 */
import type { BigIntColumn, JsonTextColumn } from '../../plugin/data.js';

/** `idempotency_keys`: a request seen with an `Idempotency-Key`, and its stored response. */
export interface IdempotencyKeyRow {
  tenant_id: string;
  principal: string;
  idem_key: string;
  request_hash: string;
  /** Null while the first request is still running. */
  status_code: number | null;
  response_body: string | null;
  content_type: string | null;
  created_at: BigIntColumn;
}

/** `rate_limit_counts`: the hits of one limit key in one window. */
export interface RateLimitCountRow {
  limit_key: string;
  window_start: BigIntColumn;
  hits: BigIntColumn;
}

/** `audit_log`: who changed what, when, before and after. */
export interface AuditLogRow {
  id: string;
  tenant_id: string;
  actor: string;
  actor_kind: string;
  action: string;
  entity_type: string;
  entity_id: string;
  /** The record before the change, as JSON. */
  before: JsonTextColumn | null;
  /** The record after the change, as JSON. */
  after: JsonTextColumn | null;
  request_id: string | null;
  occurred_at: BigIntColumn;
}

/** These tables' entries of `CoreTables`. */
export interface RequestTables {
  idempotency_keys: IdempotencyKeyRow;
  rate_limit_counts: RateLimitCountRow;
  audit_log: AuditLogRow;
}
