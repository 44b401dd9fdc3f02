/**
 * The rows of the support tables as the database returns them (migrations 001–009), and
 * their entry in the data layer's table map, so `ctx.data…from('support_tickets')` is
 * typed and the raw-knex stores read them with `trx<Row>(table)`. Columns are snake_case
 * as stored; instants are epoch milliseconds (BIGINT), JSON lives in TEXT. The DTO mappers
 * in `records.ts` read these.
 */
import type { BigIntColumn, BoolColumn, JsonTextColumn } from '../../../core/plugin/index.js';

/** `support_counters`: each tenant's last ticket number. */
export interface CounterRow {
  tenant_id: string;
  last_number: BigIntColumn;
}

/** `support_calendars`: business calendars, keyed by tenant and id. */
export interface CalendarRow {
  tenant_id: string;
  id: string;
  name: string;
  time_zone: string;
  /** `Partial<Record<Weekday, TimeRange[]>>` as JSON. */
  week: JsonTextColumn;
  /** `Holiday[]` as JSON. */
  holidays: JsonTextColumn | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `support_queues`. */
export interface QueueRow {
  id: string;
  tenant_id: string;
  name: string;
  /** `string[]` (agent ids) as JSON. */
  members: JsonTextColumn;
  manager_id: string | null;
  calendar_id: string | null;
  email_account_id: string | null;
  assignment: string;
  rr_position: number;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `support_sla_policies`. */
export interface SlaPolicyRow {
  id: string;
  tenant_id: string;
  name: string;
  calendar_id: string;
  conditions: JsonTextColumn;
  targets: JsonTextColumn;
  escalation: JsonTextColumn;
  enabled: BoolColumn;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `support_tickets` (001, with the report figures of 003). */
export interface TicketRow {
  id: string;
  tenant_id: string;
  number: BigIntColumn;
  subject: string;
  customer_id: string | null;
  channel: string;
  priority: string;
  status: string;
  queue_id: string | null;
  assignee_id: string | null;
  team_id: string | null;
  /** `string[]` as JSON. */
  tags: JsonTextColumn;
  /** `Record<string, unknown>` as JSON. */
  custom_fields: JsonTextColumn | null;
  sla_policy_id: string | null;
  merged_into_id: string | null;
  first_response_at: BigIntColumn | null;
  solved_at: BigIntColumn | null;
  /** Unused since 002: ratings live in `support_csat_responses`. */
  csat_rating: number | null;
  csat_comment: string | null;
  csat_at: BigIntColumn | null;
  first_response_business_ms: BigIntColumn | null;
  resolved_at: BigIntColumn | null;
  resolution_business_ms: BigIntColumn | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `support_messages`: public replies and internal notes of a ticket. */
export interface MessageRow {
  id: string;
  tenant_id: string;
  ticket_id: string;
  visibility: string;
  author_kind: string;
  author_id: string | null;
  body: string | null;
  email_message_id: string | null;
  created_at: BigIntColumn;
}

/** `support_sla_targets`: one per ticket and target kind. */
export interface SlaTargetRow {
  id: string;
  tenant_id: string;
  ticket_id: string;
  kind: string;
  policy_id: string;
  budget_ms: BigIntColumn;
  spent_ms: BigIntColumn;
  running_since: BigIntColumn | null;
  due_at: BigIntColumn | null;
  warn_at: BigIntColumn | null;
  state: string;
  started_at: BigIntColumn;
  met_at: BigIntColumn | null;
  breached: BoolColumn;
  warn_claim: string | null;
  breach_claim: string | null;
}

/** `support_canned_responses`. */
export interface CannedResponseRow {
  id: string;
  tenant_id: string;
  name: string;
  locale: string;
  body: string | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `support_csat_links`: survey links by the hash of their token. */
export interface CsatLinkRow {
  token_hash: string;
  tenant_id: string;
  ticket_id: string;
  expires_at: BigIntColumn;
  used_at: BigIntColumn | null;
  created_at: BigIntColumn;
}

/** `support_csat_responses` (002): one answer per ticket. */
export interface CsatResponseRow {
  tenant_id: string;
  ticket_id: string;
  rating: number;
  comment: string | null;
  answered_at: BigIntColumn;
  link_hash: string;
}

/** `support_csat_keys` (002): each tenant's sealed link-signing key. */
export interface CsatKeyRow {
  tenant_id: string;
  sealed_key: string;
  created_at: BigIntColumn;
}

/** `support_complaints` (002): one per complained-about ticket. */
export interface ComplaintRow {
  id: string;
  tenant_id: string;
  ticket_id: string;
  customer_id: string | null;
  reason: string;
  rating: number | null;
  created_at: BigIntColumn;
  /** Who is to follow it up (009): the manager of the ticket's queue; null: any manager. */
  follow_up_assignee_id: string | null;
  follow_up_status: 'open' | 'done';
  followed_up_at: BigIntColumn | null;
  followed_up_by: string | null;
  follow_up_note: string | null;
}

/** `support_email_threads` (004): the ticket a mail thread feeds. */
export interface EmailThreadRow {
  tenant_id: string;
  thread_id: string;
  ticket_id: string;
  account_id: string;
  address: string;
  created_at: BigIntColumn;
}

/** `support_email_messages` (004): which mail became which ticket message. */
export interface EmailMessageRow {
  tenant_id: string;
  email_message_id: string;
  ticket_id: string;
  message_id: string;
  direction: string;
  created_at: BigIntColumn;
}

/**
 * `support_sla_daily` (migration 006): decided SLA targets (met, or flagged breached) per
 * tenant, local day the target started, kind, policy, and the ticket's queue, assignee and
 * team ('' for none, so the key is unique on every database), and outcome.
 */
export interface SlaDailyRow {
  tenant_id: string;
  day: number;
  kind: string;
  policy_id: string;
  queue_id: string;
  assignee_id: string;
  team_id: string;
  outcome: string;
  n: BigIntColumn;
}

/**
 * `support_time_daily` (migration 006): first responses and resolutions per tenant, local
 * day they happened, measure, the ticket's queue, assignee and team ('' for none), and
 * business-minute bucket; `total_ms` keeps the exact sum for the average.
 */
export interface TimeDailyRow {
  tenant_id: string;
  day: number;
  measure: string;
  queue_id: string;
  assignee_id: string;
  team_id: string;
  bucket: number;
  n: BigIntColumn;
  total_ms: BigIntColumn;
}

/**
 * `support_time_monthly` (migration 006): the same histogram per tenant, calendar
 * (`gregorian`/`persian`), local month `yyyymm` of that calendar, measure, queue and
 * bucket — without assignee and team, for readers whose record scope is `all`: a year of
 * it is a few thousand rows where the per-day table holds about one row per ticket.
 */
export interface TimeMonthlyRow {
  tenant_id: string;
  calendar: string;
  month: number;
  measure: string;
  queue_id: string;
  bucket: number;
  n: BigIntColumn;
  total_ms: BigIntColumn;
}

/** `support_settings` (007): a tenant's support settings, one row once any is set. */
export interface SettingsRow {
  tenant_id: string;
  /** The JSON Schema tickets' `customFields` must satisfy, as JSON; null when none is set. */
  ticket_fields_schema: JsonTextColumn | null;
  updated_at: BigIntColumn;
}

/** `support_absences` (008): an agent away until `until`; automatic assignment passes them over. */
export interface AbsenceRow {
  tenant_id: string;
  agent_id: string;
  since: BigIntColumn;
  until: BigIntColumn;
  reason: string | null;
  set_by: string;
}

declare module '../../../core/plugin/index.js' {
  interface PluginTables {
    support_counters: CounterRow;
    support_calendars: CalendarRow;
    support_queues: QueueRow;
    support_sla_policies: SlaPolicyRow;
    support_tickets: TicketRow;
    support_messages: MessageRow;
    support_sla_targets: SlaTargetRow;
    support_canned_responses: CannedResponseRow;
    support_csat_links: CsatLinkRow;
    support_csat_responses: CsatResponseRow;
    support_csat_keys: CsatKeyRow;
    support_complaints: ComplaintRow;
    support_email_threads: EmailThreadRow;
    support_email_messages: EmailMessageRow;
    support_sla_daily: SlaDailyRow;
    support_time_daily: TimeDailyRow;
    support_time_monthly: TimeMonthlyRow;
    support_settings: SettingsRow;
    support_absences: AbsenceRow;
  }
}
