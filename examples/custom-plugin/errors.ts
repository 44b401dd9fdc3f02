/** The errors the warranty plugin raises on purpose, each with its status and localized text. */
import { PeyvandError, type ErrorSpec } from 'peyvand/plugin';

const spec = (status: number, code: string): ErrorSpec => ({ status, i18nKey: `warranty:errors.${code}` });

/** Warranty error codes with their HTTP status. */
export const warrantyErrors = {
  CLAIM_NOT_FOUND: spec(404, 'CLAIM_NOT_FOUND'),
  CLAIM_TRANSITION_INVALID: spec(409, 'CLAIM_TRANSITION_INVALID'),
  RESOLUTION_REQUIRED: spec(422, 'RESOLUTION_REQUIRED'),
} as const satisfies Record<string, ErrorSpec>;

/** Creates a warranty error by code. */
export function warrantyError(code: keyof typeof warrantyErrors, params: Record<string, unknown> = {}): PeyvandError {
  return new PeyvandError(code, warrantyErrors[code], params);
}
