/**
 * JSON Schemas of the data of the email plugin's events: closed, every field present, as
 * the emitters write it (ingest.ts, outbound.ts, unsubscribe.ts, and the set-up writes:
 * accounts.ts, templates.ts, quarantine.ts). The payload types in services/api.ts are
 * derived from them.
 */
import { eventData } from '../../../core/plugin/index.js';
import { accountSchema, templateSchema } from './email-schemas.js';

const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const nullableStr = { type: ['string', 'null'] } as const;

/** `email.received`: one message ingested (never for bounces; auto-replies carry the flag). */
export const emailReceivedSchema = eventData({
  id: { type: 'string', description: 'Peyvand message id' },
  accountId: str,
  threadId: str,
  newThread: { type: 'boolean', description: 'True when this message opened the thread (no earlier message matched)' },
  messageId: str,
  inReplyTo: nullableStr,
  references: strings,
  customerId: nullableStr,
  from: eventData({ address: str, name: str }),
  to: strings,
  subject: str,
  text: str,
  flags: strings,
  receivedAt: str,
});

/** `email.sent`, `email.failed`: `response` is the SMTP answer or the error that decided the outcome. */
export const emailOutcomeSchema = eventData({ id: str, accountId: str, threadId: str, messageId: str, customerId: nullableStr, to: strings, response: str });

/** `email.bounced`: `id` is the bounced outbound message, when the report names one of ours. */
export const emailBouncedSchema = eventData({ id: nullableStr, recipient: str, status: str, diagnostic: str });

/** `email.unsubscribed`: `messageId` is the marketing message whose link was used. */
export const emailUnsubscribedSchema = eventData({ address: str, messageId: str, customerId: nullableStr, unsubscribedAt: str });

/** `email.quarantined`. */
export const emailQuarantinedSchema = eventData({ id: str, accountId: str, folder: str, uid: { type: 'integer' }, reason: str });

/** An account as events carry it: every field (the service answers each), servers without passwords, DKIM without its key. */
const accountRecordSchema = { ...accountSchema, required: Object.keys(accountSchema.properties) as Array<keyof typeof accountSchema.properties> } as const;

/** `email.account_created|account_updated|account_deleted` (a deletion carries the account as it was). */
export const emailAccountEventSchema = eventData({ account: accountRecordSchema });

/** `email.template_created|template_updated|template_deleted` (a deletion carries the template as it was). */
export const emailTemplateEventSchema = eventData({ template: templateSchema });

/** `email.quarantine_deleted`: an entry deleted without being released (a release announces its message with `email.received`). */
export const emailQuarantineDeletedSchema = eventData({ id: str, accountId: str });
