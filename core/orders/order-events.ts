/**
 * The order and invoice events. Their `data` is the whole DTO as it is after the write
 * (ORDERS-CONTRACT.md), declared with the DTO's JSON Schema so webhooks, replay and the
 * brokers describe them. `order.updated`/`invoice.updated` announce a change no lifecycle
 * event names (a corrected total, a customer linked later), so every write has an event;
 * `order.deleted` only comes from undoing an import that created the order.
 */
import { invoiceSchema, orderSchema, type InvoiceDto, type OrderDto } from '../plugin/orders.js';

/** Order event types. */
export const ORDER_EVENTS = ['order.placed', 'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.returned', 'order.updated', 'order.deleted'] as const;
/** Invoice event types. */
export const INVOICE_EVENTS = ['invoice.issued', 'invoice.paid', 'invoice.overdue', 'invoice.cancelled', 'invoice.updated'] as const;

declare module '../plugin/events.js' {
  interface PeyvandEvents {
    'order.placed': OrderDto;
    'order.paid': OrderDto;
    'order.shipped': OrderDto;
    'order.delivered': OrderDto;
    'order.cancelled': OrderDto;
    'order.returned': OrderDto;
    'order.updated': OrderDto;
    'order.deleted': OrderDto;
    'invoice.issued': InvoiceDto;
    'invoice.paid': InvoiceDto;
    'invoice.overdue': InvoiceDto;
    'invoice.cancelled': InvoiceDto;
    'invoice.updated': InvoiceDto;
  }
}

/** The `events` declaration entries of core for orders and invoices. */
export const orderEventSchemas: Readonly<Record<string, Record<string, unknown>>> = Object.fromEntries([
  ...ORDER_EVENTS.map((type) => [type, orderSchema]),
  ...INVOICE_EVENTS.map((type) => [type, invoiceSchema]),
]);
