/**
 * ERPNext's DocTypes mapped to Peyvand's records: `Customer` (with its primary `Address`)
 * → a customer, a submitted or cancelled `Sales Order` (with its `items`) → an order, a
 * submitted or cancelled `Sales Invoice` (not a return) → an invoice. Amounts are floats
 * in the document's `currency` and minor units here; dates are the site's wall clock and
 * become UTC instants (a date alone is midnight of the site's time zone).
 *
 * @module
 */
import { currencyMinorDigits, toMinorUnits, type Address, type ErpCustomer, type ErpInvoice, type ErpOrder } from '../../core/plugin/index.js';
import { frappeTimeToIso } from './erpnext-time.js';

/** A `Customer` as a list row (`fields: ["*"]`, so custom fields come along for the mapping). */
export interface FrappeCustomer {
  name: string;
  customer_name?: string | null;
  customer_type?: string | null;
  email_id?: string | null;
  mobile_no?: string | null;
  customer_primary_address?: string | null;
  disabled?: 0 | 1;
  modified: string;
  [field: string]: unknown;
}

/** An `Address`. */
export interface FrappeAddress {
  name: string;
  address_line1?: string | null;
  address_line2?: string | null;
  city?: string | null;
  state?: string | null;
  pincode?: string | null;
}

/** A row of a `Sales Order`'s or `Sales Invoice`'s `items` table. */
export interface FrappeItem {
  item_code?: string | null;
  item_name?: string | null;
  qty?: number;
  rate?: number;
  sales_order?: string | null;
}

/** A `Sales Order` document. */
export interface FrappeSalesOrder {
  name: string;
  customer?: string | null;
  docstatus: 0 | 1 | 2;
  status?: string;
  per_delivered?: number;
  transaction_date?: string;
  grand_total?: number;
  currency?: string;
  modified: string;
  items?: FrappeItem[];
}

/** A `Sales Invoice` document. */
export interface FrappeSalesInvoice {
  name: string;
  customer?: string | null;
  docstatus: 0 | 1 | 2;
  status?: string;
  posting_date?: string;
  due_date?: string | null;
  grand_total?: number;
  outstanding_amount?: number;
  currency?: string;
  modified: string;
  items?: FrappeItem[];
}

/** List fields of the documents (their child tables come with each document's own read). */
export const SALES_ORDER_FIELDS = ['name', 'modified'];
export const SALES_INVOICE_FIELDS = ['name', 'modified'];

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** A customer (and its primary address, when read); a string says why it cannot be one. */
export function customerOf(c: FrappeCustomer, address: FrappeAddress | undefined): ErpCustomer | string {
  const name = text(c.customer_name) ?? text(c.name);
  if (!name) return 'the customer has no name';
  const line1 = text(address?.address_line1) ?? text(address?.city);
  const addresses: Address[] = address && line1
    ? [{
        line1,
        ...(text(address.address_line2) && { line2: text(address.address_line2) }),
        ...(text(address.city) && { city: text(address.city) }),
        ...(text(address.state) && { region: text(address.state) }),
        ...(text(address.pincode) && { postalCode: text(address.pincode) }),
      }]
    : [];
  return {
    // "Company" and "Partnership" are organizations; "Individual" is a person.
    kind: c.customer_type === 'Individual' ? 'person' : 'organization',
    name,
    emails: text(c.email_id) ? [{ value: text(c.email_id)! }] : [],
    phones: text(c.mobile_no) ? [{ value: text(c.mobile_no)! }] : [],
    addresses,
    organizationRef: null,
  };
}

function money(amount: unknown, currency: string): number {
  return toMinorUnits(typeof amount === 'number' ? amount : Number(amount ?? 0), currencyMinorDigits(currency));
}

function checkedCurrency(value: unknown, what: string): string {
  const currency = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return /^[A-Z]{3}$/.test(currency) ? currency : `the ${what} has no ISO currency (${currency || 'none'})`;
}

/** A submitted or cancelled sales order as an order. */
export function orderOf(o: FrappeSalesOrder, timeZone: string): ErpOrder | string {
  const currency = checkedCurrency(o.currency, 'order');
  if (currency.length !== 3) return currency;
  const placedAt = frappeTimeToIso(o.transaction_date, timeZone);
  if (!placedAt) return 'the order has no transaction date';
  const delivered = o.docstatus === 1 && (o.status === 'Completed' || (o.per_delivered ?? 0) >= 100);
  const status: ErpOrder['status'] = o.docstatus === 2 || o.status === 'Cancelled' ? 'cancelled' : delivered ? 'delivered' : 'placed';
  return {
    customerRef: text(o.customer) ?? null,
    number: o.name,
    status,
    currency,
    total: money(o.grand_total, currency),
    placedAt,
    ...(delivered && { deliveredAt: frappeTimeToIso(o.modified, timeZone) ?? placedAt }),
    lines: (o.items ?? []).map((i) => ({
      productRef: text(i.item_code) ?? null,
      sku: text(i.item_code) ?? null,
      name: text(i.item_name) ?? text(i.item_code) ?? '-',
      quantity: Number(i.qty ?? 0),
      unitPrice: money(i.rate, currency),
    })),
  };
}

/** A submitted or cancelled sales invoice as an invoice. */
export function invoiceOf(v: FrappeSalesInvoice, timeZone: string): ErpInvoice | string {
  const currency = checkedCurrency(v.currency, 'invoice');
  if (currency.length !== 3) return currency;
  const issuedAt = frappeTimeToIso(v.posting_date, timeZone);
  if (!issuedAt) return 'the invoice has no posting date';
  const status: ErpInvoice['status'] = v.docstatus === 2 || v.status === 'Cancelled'
    ? 'cancelled'
    : v.status === 'Paid' || (v.outstanding_amount !== undefined && v.outstanding_amount <= 0)
      ? 'paid'
      : (v.status ?? '').startsWith('Overdue') ? 'overdue' : 'issued';
  const orderRef = (v.items ?? []).map((i) => text(i.sales_order)).find((x) => x !== undefined);
  return {
    customerRef: text(v.customer) ?? null,
    number: v.name,
    orderRef: orderRef ?? null,
    currency,
    amount: money(v.grand_total, currency),
    issuedAt,
    dueAt: frappeTimeToIso(v.due_date, timeZone) ?? issuedAt,
    status,
  };
}
