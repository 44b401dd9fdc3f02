/**
 * The email error catalog: every error the plugin raises on purpose, with its HTTP status
 * and the i18n key (`email:errors.<CODE>`) of its localized title and detail.
 */
import { PeyvandError, type ErrorSpec, type FieldError } from '../../core/plugin/index.js';

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `email:errors.${code}` });

/** Email error codes with their HTTP status. */
export const emailErrors = {
  ACCOUNT_NOT_FOUND: spec(404, 'ACCOUNT_NOT_FOUND'),
  MESSAGE_NOT_FOUND: spec(404, 'MESSAGE_NOT_FOUND'),
  THREAD_NOT_FOUND: spec(404, 'THREAD_NOT_FOUND'),
  TEMPLATE_NOT_FOUND: spec(404, 'TEMPLATE_NOT_FOUND'),
  ATTACHMENT_NOT_FOUND: spec(404, 'ATTACHMENT_NOT_FOUND'),
  ATTACHMENT_OMITTED: spec(404, 'ATTACHMENT_OMITTED'),
  QUARANTINE_NOT_FOUND: spec(404, 'QUARANTINE_NOT_FOUND'),
  NO_DEFAULT_ACCOUNT: spec(422, 'NO_DEFAULT_ACCOUNT'),
  NO_IMAP: spec(422, 'NO_IMAP'),
  BODY_MISSING: spec(422, 'BODY_MISSING'),
  SUBJECT_MISSING: spec(422, 'SUBJECT_MISSING'),
  TEMPLATE_INVALID: spec(422, 'TEMPLATE_INVALID'),
  TEMPLATE_DUPLICATE: spec(409, 'TEMPLATE_DUPLICATE'),
  RECIPIENT_SUPPRESSED: spec(422, 'RECIPIENT_SUPPRESSED'),
  CUSTOMER_NOT_FOUND: spec(422, 'CUSTOMER_NOT_FOUND'),
  QUARANTINE_UNREADABLE: spec(422, 'QUARANTINE_UNREADABLE'),
  DKIM_KEY_INVALID: spec(422, 'DKIM_KEY_INVALID'),
  DKIM_DOMAIN_MISMATCH: spec(422, 'DKIM_DOMAIN_MISMATCH'),
  RECIPIENT_UNSUBSCRIBED: spec(422, 'RECIPIENT_UNSUBSCRIBED'),
  MARKETING_ONE_RECIPIENT: spec(422, 'MARKETING_ONE_RECIPIENT'),
  UNSUBSCRIBE_LINK_NOT_FOUND: spec(404, 'UNSUBSCRIBE_LINK_NOT_FOUND'),
  UNSUBSCRIBE_LINK_USED: spec(409, 'UNSUBSCRIBE_LINK_USED'),
  IMAP_UNAVAILABLE: spec(502, 'IMAP_UNAVAILABLE'),
} as const satisfies Record<string, ErrorSpec>;

/** An email error code. */
export type EmailErrorCode = keyof typeof emailErrors;

/** Creates an email error by code; `errors` point at the offending fields. */
export function emailError(code: EmailErrorCode, params: Record<string, unknown> = {}, errors?: FieldError[]): PeyvandError {
  return new PeyvandError(code, emailErrors[code], params, errors ? { errors } : {});
}
