/**
 * The ERP's documents as adapters hand them to the sync: the body of core's
 * `PUT /orders/by-ref/…` and `PUT /invoices/by-ref/…`, with the customer named by its
 * ERP id (`customerRef`, resolved in the connection's source by core).
 *
 * @module
 */
import type { OrderStatus, InvoiceStatus } from './orders.js';

/** An order as the adapter read it. */
export interface ErpOrder {
  /** The ERP id of the customer (same source as the connection). */
  customerRef: string | null;
  number: string;
  status: OrderStatus;
  currency: string;
  /** Minor units. */
  total: number;
  placedAt: string;
  paidAt?: string | null;
  deliveredAt?: string | null;
  lines: Array<{ productRef?: string | null; sku?: string | null; name: string; quantity: number; unitPrice: number }>;
}

/** An invoice as the adapter read it. */
export interface ErpInvoice {
  customerRef: string | null;
  number: string;
  /** The ERP id of the order it bills (same source). */
  orderRef?: string | null;
  currency: string;
  amount: number;
  issuedAt: string;
  dueAt: string;
  status: InvoiceStatus;
}

/** Decimal amount → integer minor units of the currency. */
export function toMinorUnits(amount: number, minorDigits: number): number {
  return Math.round(amount * 10 ** minorDigits);
}
