/**
 * The rows of the event tables (migrations 003 and 005) as the drivers of the three
 * databases return them: instants and sequence numbers as BIGINT (a string on
 * PostgreSQL), JSON as text.
 *
 * @module
 */
import type { BigIntColumn, JsonTextColumn } from '../../plugin/data.js';

/** `outbox`: one event, written in the transaction of the change it describes. */
export interface OutboxRow {
  /** BIGINT auto-increment: the dispatch order. */
  seq: BigIntColumn;
  id: string;
  tenant_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  /** The event's data object as JSON. */
  data: JsonTextColumn;
  occurred_at: BigIntColumn;
}

/** `subscriber_progress`: how far a subscriber has read the outbox, and who leases it. */
export interface SubscriberProgressRow {
  subscriber_id: string;
  last_seq: BigIntColumn;
  updated_at: BigIntColumn;
  lease_owner: string | null;
  lease_until: BigIntColumn;
  lease_token: BigIntColumn;
}

/** `subscriber_failures`: an event a subscriber failed on, retried until it is dead. */
export interface SubscriberFailureRow {
  subscriber_id: string;
  event_seq: BigIntColumn;
  tenant_id: string;
  attempts: number;
  /** `retrying` or `dead`. */
  status: string;
  next_attempt_at: BigIntColumn;
  last_error: string;
  updated_at: BigIntColumn;
}

/** `inbound_seen`: an event id already taken in from a broker. */
export interface InboundSeenRow {
  tenant_id: string;
  event_id: string;
  outbox_id: string;
  received_at: BigIntColumn;
}

/** `inbound_rejected`: an inbound event refused, with the reason. */
export interface InboundRejectedRow {
  id: string;
  tenant_id: string | null;
  transport: string;
  subject: string;
  event_id: string | null;
  type: string | null;
  reason: string;
  /** The message as received (text, usually JSON). */
  payload: string;
  received_at: BigIntColumn;
}

/** The event tables' entries of `CoreTables`. */
export interface EventTables {
  outbox: OutboxRow;
  subscriber_progress: SubscriberProgressRow;
  subscriber_failures: SubscriberFailureRow;
  inbound_seen: InboundSeenRow;
  inbound_rejected: InboundRejectedRow;
}
