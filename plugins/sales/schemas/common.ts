/**
 * Building blocks of the sales JSON Schemas. The ones every route shares (id parameter,
 * page query, page of items, problem) come from core, so they mean the same everywhere.
 * All keep their literal types (`as const`): the route and service types are derived
 * from the schemas built of them (`SchemaType`).
 */
import { boundedString, lineString } from '../../../core/plugin/index.js';

export { idParams, ifMatchHeaders, nullable, pageOf, pageQuery, pageQuerySchema, phoneString, problemSchema, withEtagHeader } from '../../../core/plugin/index.js';

/** A string of bounded length. */
export const str = boundedString;
/** A name or title: one line, no bidi override controls (core's `single-line` format). */
export const line = lineString;
/** A record id in a body or query (ids are UUIDs; an unknown one is a 404, not a 400). */
export const id = str(64, 1);
/** An owner or team id of the host ERP. */
export const principal = str(200, 1);
/** ISO 4217 code. */
export const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
/** A calendar day `YYYY-MM-DD` (real days only). */
export const date = { type: 'string', format: 'date' } as const;
/** An instant. */
export const dateTime = { type: 'string', format: 'date-time' } as const;
/** Integer minor units; the sign is checked by the service, so a negative amount is a 422. */
export const amount = { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } as const;

/** A response object: every listed field, nothing else. */
export const obj = <const P extends Record<string, object>, const R extends ReadonlyArray<string> = []>(properties: P, required: R = [] as unknown as R) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;

/** Response fields every versioned record has. */
export const stamps = { createdAt: { type: 'string' }, updatedAt: { type: 'string' }, version: { type: 'integer' } } as const;
