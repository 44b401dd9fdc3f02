/**
 * The rows of the email tables as the database returns them (migrations 001–004), and
 * their entry in the data layer's table map, so `ctx.data…from('email_messages')` and the
 * store's raw reads are typed. Columns are snake_case as stored; instants and sizes are
 * BIGINT, lists and server settings JSON in TEXT, passwords and keys sealed with
 * `PEYVAND_SECRET`. The DTO mappers of the services read these.
 */
import type { BigIntColumn, BoolColumn, JsonTextColumn } from '../../../core/plugin/index.js';

/** `email_accounts` (001, DKIM columns 003). */
export interface AccountRow {
  id: string;
  tenant_id: string;
  name: string;
  address: string;
  /** The SMTP server without its password, as JSON. */
  smtp: JsonTextColumn;
  smtp_password: string;
  /** The IMAP server and folders without the password, as JSON; null without IMAP. */
  imap: JsonTextColumn | null;
  imap_password: string | null;
  unknown_senders: string;
  is_default: BoolColumn;
  max_attachment_bytes: number;
  /** `{domain, selector}` as JSON; null when the account does not sign. */
  dkim: JsonTextColumn | null;
  dkim_private_key: string | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `email_threads`. */
export interface ThreadRow {
  id: string;
  tenant_id: string;
  /** The reply token in our Message-IDs and the `[#token]` subject tag. */
  token: string;
  subject: string;
  customer_id: string | null;
  /** `string[]` as JSON. */
  participants: JsonTextColumn;
  /** `string[]` as JSON. */
  flags: JsonTextColumn;
  message_count: number;
  last_message_at: BigIntColumn;
  created_at: BigIntColumn;
}

/** `email_messages` (001, category and List-Unsubscribe URL 004): inbound and outbound, the outbound queue too. */
export interface MessageRow {
  id: string;
  tenant_id: string;
  account_id: string;
  thread_id: string;
  /** `in` or `out`. */
  direction: string;
  status: string;
  message_id: string;
  /** SHA-256 of the lower-cased Message-ID, what ids are matched by. */
  message_key: string;
  in_reply_to: string | null;
  /** `string[]` as JSON, each of the following lists too. */
  references: JsonTextColumn;
  from_address: string;
  from_name: string;
  to: JsonTextColumn;
  cc: JsonTextColumn;
  bcc: JsonTextColumn;
  subject: string;
  text: string | null;
  html: string | null;
  customer_id: string | null;
  flags: JsonTextColumn;
  attempts: number;
  next_attempt_at: BigIntColumn | null;
  /** The sender's claim on a queued row. */
  claim: string | null;
  claimed_at: BigIntColumn | null;
  last_error: string | null;
  sent_at: BigIntColumn | null;
  received_at: BigIntColumn | null;
  created_at: BigIntColumn;
  category: string | null;
  list_unsubscribe: string | null;
}

/** `email_attachments`; an empty `storage_key` is an attachment omitted for its size. */
export interface AttachmentRow {
  id: string;
  tenant_id: string;
  message_id: string;
  filename: string;
  content_type: string;
  size: BigIntColumn;
  storage_key: string;
}

/** `email_ingested`: the ingest ledger, one row per (account, mail) whatever became of it. */
export interface IngestedRow {
  account_id: string;
  dedup_key: string;
  tenant_id: string;
  outcome: string;
  ref_id: string | null;
  created_at: BigIntColumn;
}

/** `email_cursors`: how far a folder of an account was read. */
export interface CursorRow {
  account_id: string;
  folder: string;
  tenant_id: string;
  uid_validity: BigIntColumn;
  last_uid: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `email_quarantine`: mail that could not be read, its raw bytes in the blob storage. */
export interface QuarantineRow {
  id: string;
  tenant_id: string;
  account_id: string;
  folder: string;
  uid: BigIntColumn;
  reason: string;
  size: BigIntColumn;
  storage_key: string;
  dedup_key: string;
  received_at: BigIntColumn;
}

/** `email_templates` (001, version 002). */
export interface TemplateRow {
  id: string;
  tenant_id: string;
  key: string;
  locale: string;
  subject: string;
  html: string | null;
  text: string | null;
  version: number;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
}

/** `email_bounces`: one row per bounced address. */
export interface BounceRow {
  tenant_id: string;
  address: string;
  status: string;
  diagnostic: string;
  count: number;
  bounced_at: BigIntColumn;
}

/** `email_unsubscribe_keys` (004): the tenant's sealed signing key. */
export interface UnsubscribeKeyRow {
  tenant_id: string;
  sealed_key: string;
  created_at: BigIntColumn;
}

/** `email_unsubscribe_links` (004): one per marketing message, single use. */
export interface UnsubscribeLinkRow {
  id: string;
  tenant_id: string;
  message_id: string;
  address: string;
  created_at: BigIntColumn;
  used_at: BigIntColumn | null;
}

/** `email_unsubscribes` (004): the addresses refused for marketing mail. */
export interface UnsubscribeRow {
  tenant_id: string;
  address: string;
  message_id: string | null;
  created_at: BigIntColumn;
}

declare module '../../../core/plugin/index.js' {
  interface PluginTables {
    email_accounts: AccountRow;
    email_threads: ThreadRow;
    email_messages: MessageRow;
    email_attachments: AttachmentRow;
    email_ingested: IngestedRow;
    email_cursors: CursorRow;
    email_quarantine: QuarantineRow;
    email_templates: TemplateRow;
    email_bounces: BounceRow;
    email_unsubscribe_keys: UnsubscribeKeyRow;
    email_unsubscribe_links: UnsubscribeLinkRow;
    email_unsubscribes: UnsubscribeRow;
  }
}
