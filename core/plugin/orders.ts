/**
 * The ERP's orders and invoices as plugins see them: the DTOs the API returns and the
 * order and invoice events carry, and the read-only service `ctx.orders`.
 */
import type { Page } from './services.js';

/** Where a document lives in the ERP. */
export interface DocumentRef {
  source: string;
  id: string;
}

/** Order statuses, in lifecycle order. */
export const ORDER_STATUSES = ['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
/** An order's status. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Invoice statuses. */
export const INVOICE_STATUSES = ['issued', 'paid', 'overdue', 'cancelled'] as const;
/** An invoice's status. */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** One line of an order. Prices in minor units. */
export interface OrderLine {
  productRef: string | null;
  sku: string | null;
  name: string;
  quantity: number;
  unitPrice: number;
}

/** A returned quantity of one product. */
export interface ReturnedLine {
  sku: string | null;
  productRef: string | null;
  quantity: number;
}

/** Order as the API returns it and as events carry it. Amounts in minor units. */
export interface OrderDto {
  id: string;
  /** Null when the customerRef matched nobody (yet). */
  customerId: string | null;
  externalRef: DocumentRef;
  number: string;
  status: OrderStatus;
  currency: string;
  total: number;
  placedAt: string;
  paidAt: string | null;
  deliveredAt: string | null;
  lines: OrderLine[];
  /** The returned quantities of a partial return; null when nothing or the whole order came back. */
  returnedLines: ReturnedLine[] | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Invoice as the API returns it and as events carry it. */
export interface InvoiceDto {
  id: string;
  customerId: string | null;
  externalRef: DocumentRef;
  number: string;
  /** The order's externalId in the same source. */
  orderRef: string | null;
  /** The order it names, once that order is known. */
  orderId: string | null;
  currency: string;
  amount: number;
  issuedAt: string;
  dueAt: string;
  status: InvoiceStatus;
  createdAt: string;
  updatedAt: string;
  version: number;
}

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
