/**
 * The ERP sync's error catalog: HTTP errors of its routes (`erp:errors.<CODE>` for the
 * localized title and detail).
 */
import { PeyvandError, type ErrorSpec, type FieldError } from '../plugin/errors.js';

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `erp:errors.${code}` });

/** ERP error codes with their HTTP status. */
export const erpErrors = {
  ERP_CONNECTION_NOT_FOUND: spec(404, 'ERP_CONNECTION_NOT_FOUND'),
  ERP_RUN_NOT_FOUND: spec(404, 'ERP_RUN_NOT_FOUND'),
  ERP_ADAPTER_UNKNOWN: spec(422, 'ERP_ADAPTER_UNKNOWN'),
  ERP_CONFIG_INVALID: spec(400, 'ERP_CONFIG_INVALID'),
  ERP_ADDRESS_REFUSED: spec(422, 'ERP_ADDRESS_REFUSED'),
  ERP_ADAPTER_PUSH_ONLY: spec(422, 'ERP_ADAPTER_PUSH_ONLY'),
  ERP_PUSH_UNSUPPORTED: spec(422, 'ERP_PUSH_UNSUPPORTED'),
  ERP_PUSH_NOT_CRM_OWNED: spec(422, 'ERP_PUSH_NOT_CRM_OWNED'),
  ERP_PUSH_FIELD_UNMAPPED: spec(422, 'ERP_PUSH_FIELD_UNMAPPED'),
  ERP_SIGNATURE_INVALID: spec(401, 'ERP_SIGNATURE_INVALID'),
  ERP_SIGNATURE_REPLAYED: spec(409, 'ERP_SIGNATURE_REPLAYED'),
} as const satisfies Record<string, ErrorSpec>;

/** An ERP error code. */
export type ErpErrorCode = keyof typeof erpErrors;

/** Creates an ERP error. */
export function erpError(code: ErpErrorCode, params: Record<string, unknown> = {}, options: { errors?: FieldError[] } = {}): PeyvandError {
  return new PeyvandError(code, erpErrors[code], params, options);
}
