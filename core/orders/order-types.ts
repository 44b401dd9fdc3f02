/**
 * Orders and invoices as the API returns them and as their events carry them (the shape
 * fixed in ORDERS-CONTRACT.md), the write inputs, and the row mappings.
 */
import { readInt } from '../plugin/sql.js';
import type { BigIntColumn } from '../plugin/data.js';

export { ORDER_STATUSES, INVOICE_STATUSES, type CustomerLink, type InvoiceInput, type OrderInput, type DocumentRef, type OrderStatus, type InvoiceStatus, type OrderLine, type ReturnedLine, type OrderDto, type InvoiceDto } from '../plugin/orders.js';
import type { InvoiceDto, InvoiceStatus, OrderDto, OrderStatus } from '../plugin/orders.js';



/** A DECIMAL column: SQLite returns a number, PostgreSQL and MariaDB a string. Read with {@link readDecimal}. */
export type DecimalColumn = number | string;

/** The columns `orders` and `invoices` share: the tenant, the customer link and the ERP reference. */
interface DocumentRowBase {
  id: string;
  tenant_id: string;
  customer_id: string | null;
  /** The customer's ERP reference as the ERP gave it (kept while no customer matches it). */
  customer_source: string | null;
  customer_external_id: string | null;
  source: string;
  external_id: string;
  number: string;
  currency: string;
  created_at: BigIntColumn;
  updated_at: BigIntColumn;
  version: number;
}

/** An `orders` row as the drivers return it (migration 008; instants in epoch ms, amounts in minor units). */
export interface OrderRow extends DocumentRowBase {
  status: OrderStatus;
  total: BigIntColumn;
  placed_at: BigIntColumn;
  paid_at: BigIntColumn | null;
  delivered_at: BigIntColumn | null;
  returned_at: BigIntColumn | null;
}

/** An `order_lines` row: one line of an order, by position. */
export interface OrderLineRow {
  id: string;
  tenant_id: string;
  order_id: string;
  position: number;
  product_ref: string | null;
  sku: string | null;
  name: string;
  quantity: DecimalColumn;
  unit_price: BigIntColumn;
  returned_quantity: DecimalColumn;
}

/** An `invoices` row as the drivers return it. */
export interface InvoiceRow extends DocumentRowBase {
  order_ref: string | null;
  order_id: string | null;
  amount: BigIntColumn;
  issued_at: BigIntColumn;
  due_at: BigIntColumn;
  /** What the API shows: the ERP's status, or `overdue` once the scheduler claimed the invoice. */
  status: InvoiceStatus;
  /** The status the ERP last sent. */
  erp_status: InvoiceStatus;
  /** The overdue scheduler's claim token for the current due date. */
  overdue_claim: string | null;
}

/** An epoch-ms column as an ISO string (null stays null). */
export function isoOrNull(value: BigIntColumn | null | undefined): string | null {
  return value === null || value === undefined ? null : new Date(readInt(value)).toISOString();
}

/** An ISO string as epoch ms (null stays null). */
export function msOrNull(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Date.parse(value);
}

/** A decimal column (drivers return strings) as a number. */
export function readDecimal(value: DecimalColumn): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Maps an `orders` row and its `order_lines` rows (by position) to the DTO. */
export function orderFromRows(row: OrderRow, lineRows: readonly OrderLineRow[]): OrderDto {
  const lines = lineRows.map((l) => ({
    productRef: l.product_ref,
    sku: l.sku,
    name: l.name,
    quantity: readDecimal(l.quantity),
    unitPrice: readInt(l.unit_price),
    returned: readDecimal(l.returned_quantity),
  }));
  const returned = lines.filter((l) => l.returned > 0).map((l) => ({ sku: l.sku, productRef: l.productRef, quantity: l.returned }));
  return {
    id: row.id,
    customerId: row.customer_id,
    externalRef: { source: row.source, id: row.external_id },
    number: row.number,
    status: row.status,
    currency: row.currency,
    total: readInt(row.total),
    placedAt: new Date(readInt(row.placed_at)).toISOString(),
    paidAt: isoOrNull(row.paid_at),
    deliveredAt: isoOrNull(row.delivered_at),
    lines: lines.map(({ returned: _returned, ...line }) => line),
    returnedLines: returned.length ? returned : null,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
}

/** Maps an `invoices` row to the DTO. */
export function invoiceFromRow(row: InvoiceRow): InvoiceDto {
  return {
    id: row.id,
    customerId: row.customer_id,
    externalRef: { source: row.source, id: row.external_id },
    number: row.number,
    orderRef: row.order_ref,
    orderId: row.order_id,
    currency: row.currency,
    amount: readInt(row.amount),
    issuedAt: new Date(readInt(row.issued_at)).toISOString(),
    dueAt: new Date(readInt(row.due_at)).toISOString(),
    status: row.status,
    createdAt: new Date(readInt(row.created_at)).toISOString(),
    updatedAt: new Date(readInt(row.updated_at)).toISOString(),
    version: row.version,
  };
}
