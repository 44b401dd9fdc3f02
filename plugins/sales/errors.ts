/**
 * The sales error catalog: every error the plugin raises on purpose, with its HTTP
 * status and the i18n key (`sales:errors.<CODE>`) of its localized title and detail.
 */
import { PeyvandError, type ErrorSpec, type FieldError } from '../../core/plugin/index.js';

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `sales:errors.${code}` });

/** Sales error codes with their HTTP status. */
export const salesErrors = {
  PIPELINE_NOT_FOUND: spec(404, 'PIPELINE_NOT_FOUND'),
  DEAL_NOT_FOUND: spec(404, 'DEAL_NOT_FOUND'),
  LEAD_NOT_FOUND: spec(404, 'LEAD_NOT_FOUND'),
  TASK_NOT_FOUND: spec(404, 'TASK_NOT_FOUND'),
  WEB_FORM_NOT_FOUND: spec(404, 'WEB_FORM_NOT_FOUND'),
  LEAD_DUPLICATE: spec(409, 'LEAD_DUPLICATE'),
  STAGE_NOT_IN_PIPELINE: spec(422, 'STAGE_NOT_IN_PIPELINE'),
  STAGE_IN_USE: spec(422, 'STAGE_IN_USE'),
  AMOUNT_NEGATIVE: spec(422, 'AMOUNT_NEGATIVE'),
  CURRENCY_NOT_ACCEPTED: spec(422, 'CURRENCY_NOT_ACCEPTED'),
  CURRENCY_UNKNOWN: spec(422, 'CURRENCY_UNKNOWN'),
  DEAL_NOT_OPEN: spec(422, 'DEAL_NOT_OPEN'),
  LEAD_STATUS_INVALID: spec(422, 'LEAD_STATUS_INVALID'),
  LEAD_NOT_CONVERTIBLE: spec(422, 'LEAD_NOT_CONVERTIBLE'),
  REPORT_RANGE_INVALID: spec(422, 'REPORT_RANGE_INVALID'),
  SETTINGS_INVALID: spec(422, 'SETTINGS_INVALID'),
  IMPORT_REFERENCE_UNRESOLVED: spec(422, 'IMPORT_REFERENCE_UNRESOLVED'),
} as const satisfies Record<string, ErrorSpec>;

/** A sales error code. */
export type SalesErrorCode = keyof typeof salesErrors;

/** Creates a sales error by code; `errors` point at the offending fields. */
export function salesError(code: SalesErrorCode, params: Record<string, unknown> = {}, errors?: FieldError[]): PeyvandError {
  return new PeyvandError(code, salesErrors[code], params, errors ? { errors } : {});
}
