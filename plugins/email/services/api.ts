/**
 * What the email plugin exports to other plugins on purpose (`ctx.use<EmailApi>('email')`
 * after `dependsOn: ['email']`), and the data of the events it emits. Support builds its
 * ticket conversations on these; nothing else of the plugin is contract. The event data
 * types are those of the events' JSON Schemas (schemas/event-schemas.ts).
 */
import type { Knex } from 'knex';
import type { SchemaType } from '../../../core/plugin/index.js';
import type { queuedSchema, sendInputSchema } from '../schemas/email-schemas.js';
import type { emailBouncedSchema, emailOutcomeSchema, emailQuarantinedSchema, emailReceivedSchema, emailUnsubscribedSchema } from '../schemas/event-schemas.js';

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
export type EmailReceivedData = SchemaType<typeof emailReceivedSchema>;

/** Data of `email.sent`, `email.failed`. */
export type EmailOutcomeData = SchemaType<typeof emailOutcomeSchema>;

/** Data of `email.bounced`. */
export type EmailBouncedData = SchemaType<typeof emailBouncedSchema>;

/** Data of `email.unsubscribed`. */
export type EmailUnsubscribedData = SchemaType<typeof emailUnsubscribedSchema>;

/** Data of `email.quarantined`. */
export type EmailQuarantinedData = SchemaType<typeof emailQuarantinedSchema>;

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
