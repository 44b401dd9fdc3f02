/**
 * JSON Schemas of the order and invoice routes' parameters. The request bodies' schemas and
 * the response (and event) schemas are the contract's, core/plugin/orders.ts, where
 * `OrderInput`, `InvoiceInput`, `OrderDto` and `InvoiceDto` come from them.
 */
import { boundedString as str } from '../plugin/schemas.js';
import { documentSourceSchema as SOURCE, invoiceInputSchema, orderInputSchema } from '../plugin/orders.js';

/** `{source, externalId}` path parameters of the by-ref routes. */
export const byRefParams = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'externalId'],
  properties: { source: SOURCE, externalId: str(128, 1) },
} as const;

// The bodies' schemas live with the types derived from them, in the contract module.
export { invoiceInputSchema, orderInputSchema };
