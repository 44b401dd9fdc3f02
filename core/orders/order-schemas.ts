/**
 * JSON Schemas of the order and invoice request bodies; the response (and event) schemas
 * are the contract's, core/plugin/orders.ts, where `OrderDto` and `InvoiceDto` come from.
 */
import { boundedString as str } from '../plugin/schemas.js';
import { documentRefSchema as ref, documentSourceSchema as SOURCE, INVOICE_STATUSES, instantSchema as instant, ORDER_STATUSES } from '../plugin/orders.js';

const uuid = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
// Minor units: never negative, and exact in a JavaScript number.
const money = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const quantity = { type: 'number', exclusiveMinimum: 0, maximum: 1e12 } as const;
const optionalInstant = { anyOf: [instant, { type: 'null' }] } as const;
const optionalText = (max: number) => ({ anyOf: [str(max, 1), { type: 'null' }] }) as const;

/** `{source, externalId}` path parameters of the by-ref routes. */
export const byRefParams = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'externalId'],
  properties: { source: SOURCE, externalId: str(128, 1) },
} as const;

/** The customer link every document body may carry. */
const customerLink = { customerId: uuid, customerRef: ref } as const;

/** Body of PUT /orders/by-ref/{source}/{externalId}. */
export const orderInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['number', 'status', 'currency', 'total', 'placedAt', 'lines'],
  properties: {
    ...customerLink,
    number: str(100, 1),
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    currency,
    total: money,
    placedAt: instant,
    paidAt: optionalInstant,
    deliveredAt: optionalInstant,
    lines: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'quantity', 'unitPrice'],
        properties: { productRef: optionalText(128), sku: optionalText(128), name: str(300, 1), quantity, unitPrice: money },
      },
    },
    returnedLines: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['quantity'],
        anyOf: [{ required: ['sku'] }, { required: ['productRef'] }],
        properties: { sku: optionalText(128), productRef: optionalText(128), quantity },
      },
    },
  },
} as const;

/** Body of PUT /invoices/by-ref/{source}/{externalId}. */
export const invoiceInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['number', 'currency', 'amount', 'issuedAt', 'dueAt', 'status'],
  properties: {
    ...customerLink,
    number: str(100, 1),
    orderRef: optionalText(128),
    currency,
    amount: money,
    issuedAt: instant,
    dueAt: instant,
    status: { type: 'string', enum: [...INVOICE_STATUSES] },
  },
} as const;
