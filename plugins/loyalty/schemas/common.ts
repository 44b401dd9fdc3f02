/** Building blocks of the loyalty JSON Schemas; the shared ones come from core. */
import { boundedString, lineString } from '../../../core/plugin/index.js';

export { idParams, nullable, pageOf, pageQuery, problemSchema } from '../../../core/plugin/index.js';

/** A string of bounded length. */
export const str = boundedString;
/** A single-line text (names): no line breaks or text-direction controls (core's `single-line`). */
export const line = lineString;
/** A record id in a body or query (an unknown one is a 404, not a 400). */
export const id = str(64, 1);
/** ISO 4217 code. */
export const currency = { type: 'string', pattern: '^[A-Z]{3}$' };
/** A calendar day `YYYY-MM-DD`. */
export const date = { type: 'string', format: 'date' };
/** An instant. */
export const dateTime = { type: 'string', format: 'date-time' };
/** A count of points (a safe integer). */
export const points = { type: 'integer', minimum: -1_000_000_000_000, maximum: 1_000_000_000_000 };
/** A non-negative count of points. */
export const positivePoints = { type: 'integer', minimum: 0, maximum: 1_000_000_000_000 };

/** A response object: every listed field, nothing else. */
export const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: 'object', additionalProperties: false, required, properties });
