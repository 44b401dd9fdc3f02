/**
 * JSON Schema building blocks every Peyvand route shares — core's and plugins' alike, so
 * an id parameter, a page query and a page of items mean the same everywhere in the API.
 * Each keeps its literal type (`as const`, `const` type parameters), so a schema built
 * from them still yields its TypeScript type through `SchemaType` (see `route-types.ts`).
 */

/** A string of bounded length. */
export const boundedString = (max: number, min = 0) => ({ type: 'string', minLength: min, maxLength: max }) as const;

/**
 * A single-line text — a name, subject or title — of bounded length: format
 * `single-line` refuses line breaks and the bidi embedding/override/isolate controls
 * (U+202A–U+202E, U+2066–U+2069) while ZWNJ, ZWJ, LRM and RLM stay allowed. Every text
 * field already refuses other control characters and lone surrogates and is stored NFC
 * (`textHygiene` in core's validation); this adds the rules only a one-line field needs.
 */
export const lineString = (max: number, min = 0) => ({ type: 'string', format: 'single-line', minLength: min, maxLength: max }) as const;

/** A phone number: digits in any script with the usual separators, 5–15 digits (format `phone`). */
export const phoneString = { type: 'string', format: 'phone', maxLength: 64 } as const;

/** Also allows JSON null (merge-patch removal of an optional field). */
export const nullable = <const S extends object>(schema: S) => ({ anyOf: [schema, { type: 'null' }] }) as const;

/** `{id}` path parameter. Ids are UUIDs; an unknown one is a 404, not a 400. */
export const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

/** limit/cursor query properties of a list. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: { type: 'string', maxLength: 500 },
} as const;

/** Query of a list with no filters: just `limit` (default 50) and `cursor`. */
export const pageQuerySchema = { type: 'object', additionalProperties: false, properties: pageQuery } as const;

/** A page of items: `{items, nextCursor}`. */
export const pageOf = <const I extends object>(item: I) => ({
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
}) as const;

/**
 * The data of an event: exactly these fields, every one present (what an emitter writes
 * is closed and complete). Its type says so too, so `SchemaType` of it is the payload type
 * a plugin adds to `PeyvandEvents`:
 *
 * ```ts
 * export const claimOpenedSchema = eventData({ claim: claimSchema });
 * declare module 'peyvand/plugin' { interface PeyvandEvents { 'claim.opened': SchemaType<typeof claimOpenedSchema> } }
 * ```
 */
export const eventData = <const P extends Record<string, object>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, required: Object.keys(properties) as Array<keyof P & string>, properties }) as const;

/**
 * Request headers of a conditional update: `If-Match: "<version>"` answers 412 when the
 * record changed since it was read. Optional: without it the update is unconditional.
 */
export const ifMatchHeaders = {
  type: 'object',
  properties: { 'If-Match': { type: 'string', maxLength: 100, description: 'The ETag of the version read (`"3"`); a newer version on the server answers 412 PRECONDITION_FAILED' } },
} as const;

/** Request headers of a cacheable GET: `If-None-Match` answers 304 while the ETag still matches. */
export const ifNoneMatchHeaders = {
  type: 'object',
  properties: { 'If-None-Match': { type: 'string', maxLength: 200, description: 'The ETag of the copy held; 304 without a body while it is current' } },
} as const;

/** A response schema that also documents the record's `ETag` header (its version). */
export const withEtagHeader = <const S extends object>(schema: S) => ({
  ...schema,
  headers: { ETag: { type: 'string', description: 'The record version, quoted (`"3"`): send it as If-Match to update this version only' } },
}) as const;

/**
 * A response that is not JSON (a script, a page, a CSV): its real media type, for the
 * OpenAPI document. Fastify serializes only JSON, so a handler sends the bytes itself.
 */
export const mediaResponse = (mediaType: string, description: string, schema: object = { type: 'string' }) => ({
  description,
  content: { [mediaType]: { schema } },
});
