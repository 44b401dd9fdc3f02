/**
 * The support error catalog: every error the plugin raises on purpose, with its HTTP
 * status and the i18n key (`support:errors.<CODE>`) of its localized title and detail.
 */
import { PeyvandError, type ErrorSpec, type FieldError } from '../../core/plugin/index.js';

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `support:errors.${code}` });

/** Support error codes with their HTTP status. */
export const supportErrors = {
  TICKET_NOT_FOUND: spec(404, 'TICKET_NOT_FOUND'),
  QUEUE_NOT_FOUND: spec(404, 'QUEUE_NOT_FOUND'),
  CALENDAR_NOT_FOUND: spec(404, 'CALENDAR_NOT_FOUND'),
  EMAIL_ACCOUNT_NOT_FOUND: spec(404, 'EMAIL_ACCOUNT_NOT_FOUND'),
  SLA_POLICY_NOT_FOUND: spec(404, 'SLA_POLICY_NOT_FOUND'),
  CALENDAR_INVALID: spec(422, 'CALENDAR_INVALID'),
  ICS_INVALID: spec(422, 'ICS_INVALID'),
  TICKET_MERGE_INVALID: spec(422, 'TICKET_MERGE_INVALID'),
  TICKET_MERGED: spec(422, 'TICKET_MERGED'),
  TICKET_STATUS_INVALID: spec(422, 'TICKET_STATUS_INVALID'),
  TICKET_CLOSED: spec(422, 'TICKET_CLOSED'),
  PORTAL_CUSTOMER_UNKNOWN: spec(403, 'PORTAL_CUSTOMER_UNKNOWN'),
  CSAT_LINK_NOT_FOUND: spec(404, 'CSAT_LINK_NOT_FOUND'),
  CSAT_ANSWERED: spec(409, 'CSAT_ANSWERED'),
  CSAT_NOT_SOLVED: spec(422, 'CSAT_NOT_SOLVED'),
  CANNED_RESPONSE_NOT_FOUND: spec(404, 'CANNED_RESPONSE_NOT_FOUND'),
  CANNED_TEMPLATE_INVALID: spec(422, 'CANNED_TEMPLATE_INVALID'),
  COMPLAINT_RANGE_INVALID: spec(422, 'COMPLAINT_RANGE_INVALID'),
  REPORT_RANGE_INVALID: spec(422, 'REPORT_RANGE_INVALID'),
  ABSENCE_INVALID: spec(422, 'ABSENCE_INVALID'),
  ABSENCE_NOT_FOUND: spec(404, 'ABSENCE_NOT_FOUND'),
  FOLLOW_UP_NOT_FOUND: spec(404, 'FOLLOW_UP_NOT_FOUND'),
  FOLLOW_UP_DONE: spec(409, 'FOLLOW_UP_DONE'),
} as const satisfies Record<string, ErrorSpec>;

/** A support error code. */
export type SupportErrorCode = keyof typeof supportErrors;

/** Creates a support error by code; `errors` point at the offending fields. */
export function supportError(code: SupportErrorCode, params: Record<string, unknown> = {}, errors?: FieldError[]): PeyvandError {
  return new PeyvandError(code, supportErrors[code], params, errors ? { errors } : {});
}
