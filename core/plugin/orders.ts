/**
 * The ERP's orders and invoices as plugins see them: the response schemas and the DTOs
 * derived from them (what the API returns and the order and invoice events carry), the
 * by-ref request bodies' schemas and the input types derived from them (what the ERP sync
 * and the adapters write), and the read-only service `ctx.orders`.
 */
import type { SchemaType } from './route-types.js';
import { boundedString } from './schemas.js';
import type { Page } from './services.js';

/** Order statuses, in lifecycle order. */
export const ORDER_STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
/** An order's status. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Invoice statuses. */
export const INVOICE_STATUSES = ['issued', 'paid', 'overdue', 'cancelled'] as const;
/** An invoice's status. */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** A document source (`odoo`, `erpnext`, …) as the by-ref routes and the refs name it. */
export const documentSourceSchema = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' } as const;
/** `{source, id}`: where a document (or a customer) lives in the ERP. */
export const documentRefSchema = { type: 'object', additionalProperties: false, required: ['source', 'id'], properties: { source: documentSourceSchema, id: boundedString(128, 1) } } as const;
/** An instant as ISO 8601 text. */
export const instantSchema = { type: 'string', format: 'date-time' } as const;

const nullableText = { type: ['string', 'null'] } as const;
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;
const dates = { createdAt: instantSchema, updatedAt: instantSchema, version: { type: 'integer' } } as const;

/** An order in responses and in the `order.*` events' data. Amounts in minor units. */
export const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'customerId', 'externalRef', 'number', 'status', 'currency', 'total', 'placedAt', 'paidAt', 'deliveredAt', 'lines', 'returnedLines', 'createdAt', 'updatedAt', 'version'],
  properties: {
    id: { type: 'string' },
    customerId: nullableText,
    externalRef: documentRefSchema,
    number: { type: 'string' },
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    currency: { type: 'string' },
    total: { type: 'integer' },
    placedAt: instantSchema,
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
    externalRef: documentRefSchema,
    number: { type: 'string' },
    orderRef: nullableText,
    orderId: nullableText,
    currency: { type: 'string' },
    amount: { type: 'integer' },
    issuedAt: instantSchema,
    dueAt: instantSchema,
    status: { type: 'string', enum: [...INVOICE_STATUSES] },
    ...dates,
  },
} as const;

/**
 * Order as the API returns it and as events carry it (the type of {@link orderSchema}).
 * `customerId` is null when the customerRef matched nobody (yet); `returnedLines` holds
 * the returned quantities of a partial return, null when nothing or the whole order came back.
 */
export type OrderDto = SchemaType<typeof orderSchema>;

/** Invoice as the API returns it and as events carry it (the type of {@link invoiceSchema}); `orderRef` is the order's externalId in the same source, `orderId` the order once it is known. */
export type InvoiceDto = SchemaType<typeof invoiceSchema>;

/** Where a document lives in the ERP. */
export type DocumentRef = OrderDto['externalRef'];

/** One line of an order. Prices in minor units. */
export type OrderLine = OrderDto['lines'][number];

/** A returned quantity of one product. */
export type ReturnedLine = NonNullable<OrderDto['returnedLines']>[number];

/**
 * Orders for plugins (`ctx.orders`): read only, by tenant, no record scope — a plugin
 * acts for the tenant, not for a user. `list` pages by `(updatedAt, id)` ascending, so a
 * plugin enabled later back-fills its projection and catches up with `updatedAfter`.
 */
export interface OrderReader {
  get(tenantId: string, id: string): Promise<OrderDto | undefined>;
  list(tenantId: string, filter: { customerId?: string; status?: OrderStatus; updatedAfter?: string; limit: number; cursor?: string }): Promise<Page<OrderDto>>;
}

const uuid = { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } as const;
const currency = { type: 'string', pattern: '^[A-Z]{3}$' } as const;
// Minor units: never negative, and exact in a JavaScript number.
const money = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const quantity = { type: 'number', exclusiveMinimum: 0, maximum: 1e12 } as const;
const optionalInstant = { anyOf: [instantSchema, { type: 'null' }] } as const;
const optionalText = (max: number) => ({ anyOf: [boundedString(max, 1), { type: 'null' }] }) as const;

/** The customer link every document body may carry. */
const customerLink = { customerId: uuid, customerRef: documentRefSchema } as const;

/** Body of PUT /orders/by-ref/{source}/{externalId}. */
export const orderInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['number', 'status', 'currency', 'total', 'placedAt', 'lines'],
  properties: {
    ...customerLink,
    number: boundedString(100, 1),
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    currency,
    total: money,
    placedAt: instantSchema,
    paidAt: optionalInstant,
    deliveredAt: optionalInstant,
    lines: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'quantity', 'unitPrice'],
        properties: { productRef: optionalText(128), sku: optionalText(128), name: boundedString(300, 1), quantity, unitPrice: money },
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
    number: boundedString(100, 1),
    orderRef: optionalText(128),
    currency,
    amount: money,
    issuedAt: instantSchema,
    dueAt: instantSchema,
    status: { type: 'string', enum: [...INVOICE_STATUSES] },
  },
} as const;

/** Body of `PUT /orders/by-ref/{source}/{externalId}` (the type of {@link orderInputSchema}). */
export type OrderInput = SchemaType<typeof orderInputSchema>;

/** Body of `PUT /invoices/by-ref/{source}/{externalId}` (the type of {@link invoiceInputSchema}). */
export type InvoiceInput = SchemaType<typeof invoiceInputSchema>;

/** Who a document belongs to: a Peyvand id, or the customer's ref in the ERP. */
export type CustomerLink = Pick<OrderInput, keyof typeof customerLink>;
