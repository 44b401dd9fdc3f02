/**
 * Building blocks of the loyalty JSON Schemas; the shared ones come from core. They keep
 * their literal types (`as const`), so request types are derived from the schemas.
 */
import { boundedString, lineString } from '../../../core/plugin/index.js';

export { idParams, nullable, pageOf, pageQuery, pageQuerySchema, problemSchema } from '../../../core/plugin/index.js';

/** A string of bounded length. */
export const str = boundedString;
/** A single-line text (names): no line breaks or text-direction controls (core's `single-line`). */
export const line = lineString;
/** A record id in a body or query (an unknown one is a 404, not a 400). */
export const id = str(64, 1);
/** ISO 4217 code. */
export const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
/** A calendar day `YYYY-MM-DD`. */
export const date = { type: 'string', format: 'date' } as const;
/** An instant. */
export const dateTime = { type: 'string', format: 'date-time' } as const;
/** A count of points (a safe integer). */
export const points = { type: 'integer', minimum: -1_000_000_000_000, maximum: 1_000_000_000_000 } as const;
/** A non-negative count of points. */
export const positivePoints = { type: 'integer', minimum: 0, maximum: 1_000_000_000_000 } as const;

/**
 * A response object: the listed fields, nothing else; all of them required unless
 * `required` names fewer. Its type says so too, so the derived type (`SchemaType`) has
 * every field of a schema built without `required`.
 */
export const obj = <const P extends Record<string, object>, const R extends ReadonlyArray<keyof P & string> = ReadonlyArray<keyof P & string>>(properties: P, required: R = Object.keys(properties) as unknown as R) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
