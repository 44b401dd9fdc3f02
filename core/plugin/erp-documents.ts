/**
 * The ERP's documents as adapters hand them to the sync: the body of core's
 * `PUT /orders/by-ref/…` and `PUT /invoices/by-ref/…`, with the customer named by its
 * ERP id (`customerRef`, resolved in the connection's source by core).
 *
 * @module
 */
import type { CustomerLink, InvoiceInput, OrderInput } from './orders.js';

/** An order as the adapter read it: core's order input, its customer named by the ERP id (same source as the connection). */
export type ErpOrder = Omit<OrderInput, keyof CustomerLink | 'returnedLines'> & { customerRef: string | null };

/** An invoice as the adapter read it: core's invoice input, its customer and order named by ERP ids (same source). */
export type ErpInvoice = Omit<InvoiceInput, keyof CustomerLink> & { customerRef: string | null };

/** Decimal amount → integer minor units of the currency. */
export function toMinorUnits(amount: number, minorDigits: number): number {
  return Math.round(amount * 10 ** minorDigits);
}
