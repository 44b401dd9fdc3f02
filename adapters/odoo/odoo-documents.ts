/**
 * Odoo's sales documents mapped to Peyvand's read model: `sale.order` (with its
 * `sale.order.line`s) → an order, a customer `account.move` (`move_type = out_invoice`)
 * → an invoice. Amounts are floats in Odoo and minor units here; the currency is the
 * display name of `currency_id` (`res.currency.name` is the ISO code).
 *
 * @module
 */
import { currencyMinorDigits, toMinorUnits, type ErpInvoice, type ErpOrder } from '../../core/plugin/index.js';

type Many2one = [number, string] | false;

/** Odoo's datetimes ("2026-12-05 08:01:02", UTC, no zone) as ISO 8601. */
export function isoOf(writeDate: string): string {
  return `${writeDate.replace(' ', 'T')}Z`;
}

export const SALE_FIELDS = ['id', 'name', 'partner_id', 'state', 'currency_id', 'amount_total', 'date_order', 'write_date'];
export const ORDER_LINE_FIELDS = ['id', 'order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit'];
export const MOVE_FIELDS = ['id', 'name', 'partner_id', 'move_type', 'state', 'payment_state', 'currency_id', 'amount_total', 'invoice_date', 'invoice_date_due', 'invoice_origin', 'write_date'];

/** A `sale.order` as `search_read` returns it. */
export interface OdooSale {
  id: number;
  name: string;
  partner_id: Many2one;
  state: 'draft' | 'sent' | 'sale' | 'done' | 'cancel';
  currency_id: Many2one;
  amount_total: number;
  date_order: string;
  write_date: string;
}

/** A `sale.order.line`. */
export interface OdooSaleLine {
  id: number;
  order_id: Many2one;
  product_id: Many2one;
  name: string;
  product_uom_qty: number;
  price_unit: number;
}

/** An `account.move`. */
export interface OdooMove {
  id: number;
  name: string;
  partner_id: Many2one;
  state: 'draft' | 'posted' | 'cancel';
  payment_state: 'not_paid' | 'in_payment' | 'paid' | 'partial' | 'reversed' | 'invoicing_legacy';
  currency_id: Many2one;
  amount_total: number;
  invoice_date: string | false;
  invoice_date_due: string | false;
  invoice_origin: string | false;
  write_date: string;
}

const ORDER_STATUS: Record<string, ErpOrder['status']> = { sale: 'placed', done: 'delivered', cancel: 'cancelled' };

/** A sale order as an order; a string says why it cannot be one. */
export function orderOfSale(o: OdooSale, lines: readonly OdooSaleLine[]): ErpOrder | string {
  const currency = o.currency_id ? o.currency_id[1] : '';
  if (!/^[A-Z]{3}$/.test(currency)) return `the order has no ISO currency (${currency || 'none'})`;
  const digits = currencyMinorDigits(currency);
  const status = ORDER_STATUS[o.state];
  if (!status) return `the order is in state ${o.state}`;
  return {
    customerRef: o.partner_id ? String(o.partner_id[0]) : null,
    number: o.name,
    status,
    currency,
    total: toMinorUnits(o.amount_total, digits),
    placedAt: isoOf(o.date_order),
    ...(status === 'delivered' && { deliveredAt: isoOf(o.write_date) }),
    lines: lines.map((l) => ({ productRef: l.product_id ? String(l.product_id[0]) : null, name: l.name || (l.product_id ? l.product_id[1] : '-'), quantity: l.product_uom_qty, unitPrice: toMinorUnits(l.price_unit, digits) })),
  };
}

/** A posted or cancelled customer invoice as an invoice. */
export function invoiceOfMove(m: OdooMove, orderIdByName: ReadonlyMap<string, string>): ErpInvoice | string {
  const currency = m.currency_id ? m.currency_id[1] : '';
  if (!/^[A-Z]{3}$/.test(currency)) return `the invoice has no ISO currency (${currency || 'none'})`;
  if (!m.invoice_date) return 'the invoice has no invoice date';
  const status: ErpInvoice['status'] = m.state === 'cancel' ? 'cancelled' : m.payment_state === 'paid' || m.payment_state === 'in_payment' ? 'paid' : 'issued';
  return {
    customerRef: m.partner_id ? String(m.partner_id[0]) : null,
    number: m.name,
    orderRef: m.invoice_origin ? (orderIdByName.get(m.invoice_origin) ?? null) : null,
    currency,
    amount: toMinorUnits(m.amount_total, currencyMinorDigits(currency)),
    issuedAt: `${m.invoice_date}T00:00:00Z`,
    dueAt: `${m.invoice_date_due || m.invoice_date}T00:00:00Z`,
    status,
  };
}
