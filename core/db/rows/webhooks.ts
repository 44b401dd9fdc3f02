/**
 * The rows of the webhook tables (migration 004) as the drivers of the three databases
 * return them: instants and sequence numbers as BIGINT (a string on PostgreSQL), booleans
 * as 0/1 on SQLite and MariaDB, JSON as text.
 *
 * @module
 */
import type { BigIntColumn, BoolColumn, JsonTextColumn } from '../../plugin/data.js';

/** `webhooks`: a tenant's subscription. */
export interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  /** The event patterns, `string[]` as JSON. */
  events: JsonTextColumn;
  /** The signing secret, sealed with the secret box. */
  secret_sealed: string;
  active: BoolColumn;
  /** `PauseReason` as JSON; null while active. */
  paused_reason: JsonTextColumn | null;
  paused_at: BigIntColumn | null;
  consecutive_failures: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `webhook_deliveries`: one event to send to one subscription. */
export interface WebhookDeliveryRow {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_seq: BigIntColumn;
  event_id: string;
  event_type: string;
  /** `aggregateType:aggregateId`: deliveries of one aggregate go out in order. */
  aggregate_key: string;
  /** A `DeliveryStatus`. */
  status: string;
  attempts: number;
  next_attempt_at: BigIntColumn;
  lease_until: BigIntColumn;
  last_status_code: number | null;
  last_error: string | null;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  delivered_at: BigIntColumn | null;
}

/** `webhook_attempts`: one attempt to send a delivery. */
export interface WebhookAttemptRow {
  id: string;
  delivery_id: string;
  webhook_id: string;
  tenant_id: string;
  attempt: number;
  /** `schedule` or `manual`. */
  trigger: string;
  started_at: BigIntColumn;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  next_attempt_at: BigIntColumn | null;
}

/** The webhook tables' entries of `CoreTables`. */
export interface WebhookTables {
  webhooks: WebhookRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_attempts: WebhookAttemptRow;
}
