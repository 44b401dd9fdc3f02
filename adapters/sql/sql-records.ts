/**
 * Rows of the ERP's tables mapped to Peyvand's canonical records. Every value arrives as
 * text (see `sql-source.ts`); a row that cannot be a record (no name, an unknown status,
 * an amount that is not a number) becomes the reason it was rejected.
 *
 * @module
 */
import { currencyMinorDigits, toMinorUnits, type ErpCustomer, type ErpInvoice, type ErpOrder } from '../../core/plugin/index.js';
import type { EntityMapping, SqlConfig } from './sql-config.js';
import { CHANGE, ID, type SourceRow } from './sql-source.js';

const text = (v: string | null | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** A database timestamp or date as text → ISO 8601 UTC; undefined when it is not one. */
export function isoOfText(v: string | null | undefined): string | undefined {
  const s = text(v);
  if (!s) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(s);
  if (!m) return undefined;
  // A timestamp without a zone (PostgreSQL `timestamp`, MySQL `DATETIME`) is read as UTC.
  const zone = !m[3] || m[3] === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const at = new Date(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** A boolean column as text: PostgreSQL `true`/`t`, MySQL `1`, or yes/y. */
function truthy(v: string | null | undefined): boolean {
  return /^(t|true|1|y|yes)$/i.test(text(v) ?? '');
}

/** What a row's column says for one mapped field. */
function field(row: SourceRow, m: Pick<EntityMapping, 'columns'>, name: string): string | undefined {
  const column = m.columns[name];
  return column ? text(row[column]) : undefined;
}

/** The raw payload of a row: its columns by name (the adapter's own aliases left out). */
export function rawOf(row: SourceRow): Record<string, string | null> {
  const { [ID]: _id, [CHANGE]: _change, ...rest } = row;
  return rest;
}

/** A row of the customers table as a customer. */
export function customerOfRow(row: SourceRow, m: EntityMapping): ErpCustomer | string {
  const name = field(row, m, 'name');
  if (!name) return `the row has no name (column ${m.columns.name})`;
  const line1 = field(row, m, 'line1') ?? field(row, m, 'city');
  const country = field(row, m, 'country');
  const phones = [field(row, m, 'phone'), field(row, m, 'mobile')].filter((p): p is string => p !== undefined);
  const email = field(row, m, 'email');
  const given = field(row, m, 'givenName');
  const family = field(row, m, 'familyName');
  const isCompany = m.columns.isCompany ? truthy(row[m.columns.isCompany]) : false;
  return {
    kind: isCompany ? 'organization' : 'person',
    name,
    ...(given && { givenName: given }),
    ...(family && { familyName: family }),
    emails: email ? [{ value: email }] : [],
    phones: [...new Set(phones)].map((value) => ({ value })),
    addresses: line1
      ? [{
          line1,
          ...(field(row, m, 'line2') && { line2: field(row, m, 'line2') }),
          ...(field(row, m, 'city') && { city: field(row, m, 'city') }),
          ...(field(row, m, 'region') && { region: field(row, m, 'region') }),
          ...(field(row, m, 'postalCode') && { postalCode: field(row, m, 'postalCode') }),
          ...(country && country.length === 2 && { country: country.toUpperCase() }),
        }]
      : [],
    organizationRef: isCompany ? null : (field(row, m, 'organizationRef') ?? null),
  };
}

/** An amount column in minor units, or the reason it is not one. */
function amountOf(value: string | undefined, currency: string, config: SqlConfig, what: string): number | string {
  if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value)) return `${what} is not a number (${value ?? 'empty'})`;
  if (config.amounts === 'minor') return Math.round(Number(value));
  return toMinorUnits(Number(value), currencyMinorDigits(currency));
}

/** The currency of a document row, or the reason it has none. */
function currencyOf(row: SourceRow, m: EntityMapping, config: SqlConfig): string | { reason: string } {
  const currency = (field(row, m, 'currency') ?? config.currency ?? '').toUpperCase();
  return /^[A-Z]{3}$/.test(currency) ? currency : { reason: `the row has no ISO currency (${currency || 'none'})` };
}

/** A status column through the status map; values not listed must already be Peyvand statuses. */
function statusOf<S extends string>(row: SourceRow, m: EntityMapping, allowed: readonly S[], fallback: S): S | { reason: string } {
  const value = field(row, m, 'status');
  if (value === undefined) return fallback;
  const mapped = m.statusMap[value] ?? value;
  return (allowed as readonly string[]).includes(mapped) ? (mapped as S) : { reason: `the status "${value}" is not mapped (ordersStatusMap / invoicesStatusMap)` };
}

/** A row of the orders table, with its line rows, as an order. */
export function orderOfRow(row: SourceRow, m: EntityMapping, config: SqlConfig, lines: readonly SourceRow[]): ErpOrder | string {
  const currency = currencyOf(row, m, config);
  if (typeof currency !== 'string') return currency.reason;
  const status = statusOf(row, m, ['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned'] as const, 'placed');
  if (typeof status !== 'string') return status.reason;
  const number = field(row, m, 'number');
  if (!number) return 'the row has no order number';
  const total = amountOf(field(row, m, 'total'), currency, config, 'the total');
  if (typeof total === 'string') return total;
  const placedAt = isoOfText(field(row, m, 'placedAt'));
  if (!placedAt) return `placedAt is not a date (${field(row, m, 'placedAt') ?? 'empty'})`;
  const lc = config.orderLines?.columns ?? {};
  const mappedLines: ErpOrder['lines'] = [];
  for (const l of lines) {
    const get = (f: string) => (lc[f] ? text(l[lc[f]!]) : undefined);
    const unitPrice = amountOf(get('unitPrice'), currency, config, 'a line\'s unit price');
    if (typeof unitPrice === 'string') return unitPrice;
    const quantity = Number(get('quantity'));
    if (!Number.isFinite(quantity)) return `a line's quantity is not a number (${get('quantity') ?? 'empty'})`;
    mappedLines.push({ productRef: get('productRef') ?? null, sku: get('sku') ?? null, name: get('name') ?? get('sku') ?? '-', quantity, unitPrice });
  }
  const paidAt = isoOfText(field(row, m, 'paidAt'));
  const deliveredAt = isoOfText(field(row, m, 'deliveredAt'));
  return {
    customerRef: field(row, m, 'customerRef') ?? null,
    number,
    status,
    currency,
    total,
    placedAt,
    ...(paidAt && { paidAt }),
    ...(deliveredAt && { deliveredAt }),
    lines: mappedLines,
  };
}

/** A row of the invoices table as an invoice. */
export function invoiceOfRow(row: SourceRow, m: EntityMapping, config: SqlConfig): ErpInvoice | string {
  const currency = currencyOf(row, m, config);
  if (typeof currency !== 'string') return currency.reason;
  const status = statusOf(row, m, ['issued', 'paid', 'overdue', 'cancelled'] as const, 'issued');
  if (typeof status !== 'string') return status.reason;
  const number = field(row, m, 'number');
  if (!number) return 'the row has no invoice number';
  const amount = amountOf(field(row, m, 'amount'), currency, config, 'the amount');
  if (typeof amount === 'string') return amount;
  const issuedAt = isoOfText(field(row, m, 'issuedAt'));
  if (!issuedAt) return `issuedAt is not a date (${field(row, m, 'issuedAt') ?? 'empty'})`;
  return {
    customerRef: field(row, m, 'customerRef') ?? null,
    number,
    orderRef: field(row, m, 'orderRef') ?? null,
    currency,
    amount,
    issuedAt,
    dueAt: isoOfText(field(row, m, 'dueAt')) ?? issuedAt,
    status,
  };
}
