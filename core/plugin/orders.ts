/**
 * The ERP's orders and invoices as plugins see them: the response schemas and the DTOs
 * derived from them (what the API returns and the order and invoice events carry), and
 * the read-only service `ctx.orders`.
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

/** Who a document belongs to: a Peyvand id, or the customer's ref in the ERP. */
export interface CustomerLink {
  customerId?: string;
  customerRef?: DocumentRef;
}

/** Body of `PUT /orders/by-ref/{source}/{externalId}`. */
export interface OrderInput extends CustomerLink {
  number: string;
  status: OrderStatus;
  currency: string;
  total: number;
  placedAt: string;
  paidAt?: string | null;
  deliveredAt?: string | null;
  lines: Array<{ productRef?: string | null; sku?: string | null; name: string; quantity: number; unitPrice: number }>;
  returnedLines?: Array<{ sku?: string | null; productRef?: string | null; quantity: number }>;
}

/** Body of `PUT /invoices/by-ref/{source}/{externalId}`. */
export interface InvoiceInput extends CustomerLink {
  number: string;
  orderRef?: string | null;
  currency: string;
  amount: number;
  issuedAt: string;
  dueAt: string;
  status: InvoiceStatus;
}
