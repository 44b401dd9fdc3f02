/**
 * Orders and invoices as the API returns them and as their events carry them (the shape
 * fixed in ORDERS-CONTRACT.md), the write inputs, and the row mappings.
 */
import { readInt } from '../db/database.js';

export { ORDER_STATUSES, INVOICE_STATUSES, type CustomerLink, type InvoiceInput, type OrderInput, type DocumentRef, type OrderStatus, type InvoiceStatus, type OrderLine, type ReturnedLine, type OrderDto, type InvoiceDto } from '../plugin/orders.js';
import type { InvoiceDto, InvoiceStatus, OrderDto, OrderStatus } from '../plugin/orders.js';



/** An epoch-ms column as an ISO string (null stays null). */
export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : new Date(readInt(value)).toISOString();
}

/** An ISO string as epoch ms (null stays null). */
export function msOrNull(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Date.parse(value);
}

/** A decimal column (drivers return strings) as a number. */
export function readDecimal(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Maps an `orders` row and its `order_lines` rows (by position) to the DTO. */
export function orderFromRows(row: Record<string, unknown>, lineRows: readonly Record<string, unknown>[]): OrderDto {
  const lines = lineRows.map((l) => ({
    productRef: l.product_ref == null ? null : String(l.product_ref),
    sku: l.sku == null ? null : String(l.sku),
    name: String(l.name),
    quantity: readDecimal(l.quantity),
    unitPrice: readInt(l.unit_price),
    returned: readDecimal(l.returned_quantity),
  }));
  const returned = lines.filter((l) => l.returned > 0).map((l) => ({ sku: l.sku, productRef: l.productRef, quantity: l.returned }));
  return {
    id: String(row.id),
    customerId: row.customer_id == null ? null : String(row.customer_id),
    externalRef: { source: String(row.source), id: String(row.external_id) },
    number: String(row.number),
    status: String(row.status) as OrderStatus,
    currency: String(row.currency),
    total: readInt(row.total),
    placedAt: new Date(readInt(row.placed_at)).toISOString(),
    paidAt: isoOrNull(row.paid_at),
    deliveredAt: isoOrNull(row.delivered_at),
    lines: lines.map(({ returned: _returned, ...line }) => line),
    returnedLines: returned.length ? returned : null,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: readInt(row.version),
  };
}

/** Maps an `invoices` row to the DTO. */
export function invoiceFromRow(row: Record<string, unknown>): InvoiceDto {
  return {
    id: String(row.id),
    customerId: row.customer_id == null ? null : String(row.customer_id),
    externalRef: { source: String(row.source), id: String(row.external_id) },
    number: String(row.number),
    orderRef: row.order_ref == null ? null : String(row.order_ref),
    orderId: row.order_id == null ? null : String(row.order_id),
    currency: String(row.currency),
    amount: readInt(row.amount),
    issuedAt: new Date(readInt(row.issued_at)).toISOString(),
    dueAt: new Date(readInt(row.due_at)).toISOString(),
    status: String(row.status) as InvoiceStatus,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: readInt(row.version),
  };
}
