/**
 * What the email plugin exports to other plugins on purpose (`ctx.use<EmailApi>('email')`
 * after `dependsOn: ['email']`), and the data of the events it emits. Support builds its
 * ticket conversations on these; nothing else of the plugin is contract.
 */
import type { Knex } from 'knex';
import type { SchemaType } from '../../../core/plugin/index.js';
import type { queuedSchema, sendInputSchema } from '../schemas/email-schemas.js';

/** A mailbox address with its display name. */
export interface EmailAddress {
  address: string;
  name: string;
}

/**
 * What {@link EmailApi.send} queues — the body of `POST /messages`, so its type is the
 * schema's. One of `text`, `html` or `template` is required (422 BODY_MISSING otherwise).
 * - `subject`: required unless a template gives it;
 * - `template`: a stored template (tenant + key) in `locale`, else the customer's locale,
 *   else the tenant's; falling back to en, then any locale;
 * - `accountId`: the account to send from; default: the tenant's default account;
 * - `replyTo`: a Peyvand message id to answer: the mail gets In-Reply-To/References from
 *   it and joins its thread (its subject too, with `Re: `, when none is given);
 * - `threadId`: continue this thread (its newest message is answered) without `replyTo`;
 * - `category`: `marketing` means one recipient (`to` only), who must not have
 *   unsubscribed (422 RECIPIENT_UNSUBSCRIBED), and a one-click `List-Unsubscribe`
 *   (RFC 8058); default `transactional`: neither.
 */
export type SendEmailInput = SchemaType<typeof sendInputSchema>;

/** A queued message: `id` is Peyvand's, `messageId` the RFC 5322 Message-ID (without angle brackets), which carries the thread's reply token. */
export type QueuedEmail = SchemaType<typeof queuedSchema>;

/** Data of `email.received`: one message ingested (never for bounces; auto-replies carry the flag). */
export interface EmailReceivedData {
  /** Peyvand message id. */
  id: string;
  accountId: string;
  threadId: string;
  /** True when this message opened the thread (no earlier message matched). */
  newThread: boolean;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  customerId: string | null;
  from: EmailAddress;
  to: string[];
  subject: string;
  text: string;
  flags: string[];
  receivedAt: string;
}

/** Data of `email.sent`, `email.failed`. */
export interface EmailOutcomeData {
  id: string;
  accountId: string;
  threadId: string;
  messageId: string;
  customerId: string | null;
  to: string[];
  /** The SMTP answer or the error that decided the outcome. */
  response: string;
}

/** Data of `email.bounced`. */
export interface EmailBouncedData {
  /** The bounced outbound message, when the report names one of ours. */
  id: string | null;
  recipient: string;
  status: string;
  diagnostic: string;
}

/** Data of `email.unsubscribed`. */
export interface EmailUnsubscribedData {
  address: string;
  /** The marketing message whose link was used. */
  messageId: string;
  customerId: string | null;
  unsubscribedAt: string;
}

/** Data of `email.quarantined`. */
export interface EmailQuarantinedData {
  id: string;
  accountId: string;
  folder: string;
  uid: number;
  reason: string;
}

/** The email plugin's exported services. */
export interface EmailApi {
  /**
   * Queues a message for tenant `tenantId`, in the caller's transaction when given (so a
   * ticket reply and its mail commit together). The sender loop delivers it.
   */
  send(tenantId: string, input: SendEmailInput, trx?: Knex.Transaction): Promise<QueuedEmail>;
  /** Whether tenant `tenantId` has the account `accountId` (another tenant's is `false`), so a plugin can refuse a dangling reference. */
  accountExists(tenantId: string, accountId: string, trx?: Knex.Transaction): Promise<boolean>;
}
