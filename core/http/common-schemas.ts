/**
 * JSON Schema building blocks every Peyvand route shares — core's and plugins' alike, so
 * an id parameter, a page query and a page of items mean the same everywhere in the API.
 */

/** A string of bounded length. */
export const boundedString = (max: number, min = 0) => ({ type: 'string', minLength: min, maxLength: max });

/** Also allows JSON null (merge-patch removal of an optional field). */
export const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });

/** `{id}` path parameter. Ids are UUIDs; an unknown one is a 404, not a 400. */
export const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } };

/** limit/cursor query properties of a list. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: { type: 'string', maxLength: 500 },
};

/** A page of items: `{items, nextCursor}`. */
export const pageOf = (item: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});
