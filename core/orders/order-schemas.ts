/** JSON Schemas of the order and invoice API; the OpenAPI document and event schemas come from these. */
import { boundedString as str } from '../plugin/schemas.js';
import { INVOICE_STATUSES, ORDER_STATUSES } from './order-types.js';

const SOURCE = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' } as const;
const ref = { type: 'object', additionalProperties: false, required: ['source', 'id'], properties: { source: SOURCE, id: str(128, 1) } } as const;
const uuid = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
// Minor units: never negative, and exact in a JavaScript number.
const money = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const quantity = { type: 'number', exclusiveMinimum: 0, maximum: 1e12 } as const;
const instant = { type: 'string', format: 'date-time' } as const;
const optionalInstant = { anyOf: [instant, { type: 'null' }] } as const;
const optionalText = (max: number) => ({ anyOf: [str(max, 1), { type: 'null' }] }) as const;
const nullableText = { type: ['string', 'null'] } as const;
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;

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

const dates = { createdAt: instant, updatedAt: instant, version: { type: 'integer' } } as const;

/** An order in responses and in the `order.*` events' data. */
export const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'externalRef', 'number', 'status', 'currency', 'total', 'placedAt', 'paidAt', 'deliveredAt', 'lines', 'returnedLines', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: { type: 'string' },
    customerId: nullableText,
    externalRef: ref,
    number: { type: 'string' },
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    currency: { type: 'string' },
    total: { type: 'integer' },
    placedAt: instant,
    paidAt: nullableInstant,
    deliveredAt: nullableInstant,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['productRef', 'sku', 'name', 'quantity', 'unitPrice'],
        properties: { productRef: nullableText, sku: nullableText, name: { type: 'string' }, quantity: { type: 'number' }, unitPrice: { type: 'integer' } },
      },
    },
    returnedLines: {
      type: ['array', 'null'],
      items: { type: 'object', additionalProperties: false, required: ['sku', 'productRef', 'quantity'], properties: { sku: nullableText, productRef: nullableText, quantity: { type: 'number' } } },
    },
    ...dates,
  },
} as const;

/** An invoice in responses and in the `invoice.*` events' data. */
export const invoiceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'externalRef', 'number', 'orderRef', 'orderId', 'currency', 'amount', 'issuedAt', 'dueAt', 'status', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: { type: 'string' },
    customerId: nullableText,
    externalRef: ref,
    number: { type: 'string' },
    orderRef: nullableText,
    orderId: nullableText,
    currency: { type: 'string' },
    amount: { type: 'integer' },
    issuedAt: instant,
    dueAt: instant,
    status: { type: 'string', enum: [...INVOICE_STATUSES] },
    ...dates,
  },
} as const;
