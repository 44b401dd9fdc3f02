/**
 * The loyalty error catalog: every error the plugin raises on purpose, with its HTTP
 * status and the i18n key (`loyalty:errors.<CODE>`) of its localized title and detail.
 */
import { PeyvandError, type ErrorSpec, type FieldError } from '../../core/plugin/index.js';

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `loyalty:errors.${code}` });

/** Loyalty error codes with their HTTP status. */
export const loyaltyErrors = {
  PROGRAM_NOT_FOUND: spec(404, 'PROGRAM_NOT_FOUND'),
  REWARD_NOT_FOUND: spec(404, 'REWARD_NOT_FOUND'),
  REDEMPTION_NOT_FOUND: spec(404, 'REDEMPTION_NOT_FOUND'),
  REFERRAL_CODE_NOT_FOUND: spec(404, 'REFERRAL_CODE_NOT_FOUND'),
  INSUFFICIENT_POINTS: spec(409, 'INSUFFICIENT_POINTS'),
  OUT_OF_STOCK: spec(409, 'OUT_OF_STOCK'),
  REDEMPTION_USED: spec(409, 'REDEMPTION_USED'),
  REWARD_EXPIRED: spec(422, 'REWARD_EXPIRED'),
  REWARD_TIER_REQUIRED: spec(422, 'REWARD_TIER_REQUIRED'),
  NO_PROGRAM: spec(422, 'NO_PROGRAM'),
  PROGRAM_INVALID: spec(422, 'PROGRAM_INVALID'),
  SELF_REFERRAL: spec(422, 'SELF_REFERRAL'),
  REFERRAL_LOOP: spec(422, 'REFERRAL_LOOP'),
  ALREADY_REFERRED: spec(422, 'ALREADY_REFERRED'),
  REFERRAL_TOO_LATE: spec(422, 'REFERRAL_TOO_LATE'),
  REPORT_RANGE_INVALID: spec(422, 'REPORT_RANGE_INVALID'),
} as const satisfies Record<string, ErrorSpec>;

/** A loyalty error code. */
export type LoyaltyErrorCode = keyof typeof loyaltyErrors;

/** Creates a loyalty error by code; `errors` point at the offending fields. */
export function loyaltyError(code: LoyaltyErrorCode, params: Record<string, unknown> = {}, errors?: FieldError[]): PeyvandError {
  return new PeyvandError(code, loyaltyErrors[code], params, errors ? { errors } : {});
}
