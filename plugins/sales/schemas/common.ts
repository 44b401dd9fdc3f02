/** Building blocks of the sales JSON Schemas. */
export { problemSchema } from '../../../core/index.js';

/** A string of bounded length. */
export const str = (max: number, min = 0) => ({ type: 'string', minLength: min, maxLength: max });
/** A record id in a body or query (ids are UUIDs; an unknown one is a 404, not a 400). */
export const id = str(64, 1);
/** An owner or team id of the host ERP. */
export const principal = str(200, 1);
/** ISO 4217 code. */
export const currency = { type: 'string', pattern: '^[A-Z]{3}$' };
/** A calendar day `YYYY-MM-DD` (real days only). */
export const date = { type: 'string', format: 'date' };
/** An instant. */
export const dateTime = { type: 'string', format: 'date-time' };
/** Integer minor units; the sign is checked by the service, so a negative amount is a 422. */
export const amount = { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER };
/** Also allows JSON null (merge-patch removal). */
export const nullable = (s: Record<string, unknown>) => ({ anyOf: [s, { type: 'null' }] });

/** `{id}` path parameter. */
export const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: str(64, 1) } };

/** limit/cursor query properties. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: { type: 'string', maxLength: 500 },
};

/** A page of items. */
export const pageOf = (item: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});

/** A response object: every listed field, nothing else. */
export const obj = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, required, properties });

/** Response fields every versioned record has. */
export const stamps = { createdAt: { type: 'string' }, updatedAt: { type: 'string' }, version: { type: 'integer' } };
