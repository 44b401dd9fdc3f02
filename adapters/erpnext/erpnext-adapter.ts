/**
 * The ERPNext adapter: `Customer` → customers, `Sales Order` → orders, `Sales Invoice` →
 * invoices, read over Frappe's REST API with an API key and secret. Changes are read in
 * `modified, name` order with the cursor `<modified>|<name>` (Frappe's own wall-clock
 * text, compared by the server), keyset-paged with AND-only filters so it works on every
 * Frappe version: first the rest of the rows sharing the cursor's `modified` (`modified =
 * t, name > n`), then the later ones (`modified > t`). A disabled customer counts as
 * deleted; a document deleted outright is found by a full run's comparison.
 *
 * @module
 */
import { ErpRunError, type AdapterRuntime, type ChangePage, type ErpAdapter, type ErpConnector, type ErpCustomerWrite, type ErpEntity, type ErpRecord, type ErpWritableEntity } from '../../core/plugin/index.js';
import { ErpNextClient, type ErpNextConfig, type FrappeFilter } from './erpnext-client.js';
import { customerOf, invoiceOf, orderOf, SALES_INVOICE_FIELDS, SALES_ORDER_FIELDS, type FrappeAddress, type FrappeCustomer, type FrappeSalesInvoice, type FrappeSalesOrder } from './erpnext-documents.js';
import { frappeTimeToIso, isKnownTimeZone } from './erpnext-time.js';
import { writeCustomer } from './erpnext-write.js';

/** Options of the erp-erpnext plugin. */
export interface ErpNextAdapterOptions {
  /** Rows per list request (default 100). */
  pageSize: number;
}

/** The adapter's config schema (the contract's `{url, apiKey, apiSecret}`). */
export const erpnextConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'apiKey', 'apiSecret'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    // Frappe's keys are 15 hex characters; a ":" would split the token header wrongly.
    apiKey: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^:\\s]+$' },
    apiSecret: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^:\\s]+$' },
    // The Customer field holding the CRM's id of a customer the CRM created (looked up before a create).
    keyField: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,139}$', default: 'customer_pos_id' },
  },
};

/** One row of a page, mapped (a string: why it cannot be a record). */
interface Mapped {
  name: string;
  modified: string;
  deleted: boolean;
  data: unknown;
  raw: unknown;
}

/** A DocType read in `modified, name` order. */
interface Source {
  doctype: string;
  fields: string[];
  filters: FrappeFilter[];
  map(rows: Array<{ name: string; modified: string }>): Promise<Mapped[]>;
}

const DOCUMENT_FILTERS: FrappeFilter[] = [['docstatus', 'in', [1, 2]]];

/** Creates the adapter. */
export function erpnextAdapter(options: ErpNextAdapterOptions): ErpAdapter {
  return {
    name: 'erpnext',
    configSchema: erpnextConfigSchema,
    secretFields: ['apiKey', 'apiSecret'],
    pulls: true,
    // Email and mobile go to the Customer's primary Contact (erpnext-write.ts); mapped fields (tax_id, territory…) to the Customer.
    writes: { customers: ['name', 'emails', 'phones', 'customFields'] },
    connect(raw: Record<string, unknown>, runtime: AdapterRuntime): ErpConnector {
      const config = raw as unknown as ErpNextConfig;
      const client = new ErpNextClient(config, runtime);
      let zone: Promise<string> | undefined;
      // The site's zone, for its wall-clock times; `get_time_zone` is whitelisted for guests too.
      const timeZone = () => (zone ??= client.method<{ time_zone?: unknown } | null>('frappe.client.get_time_zone').then((m) => {
        const name = typeof m?.time_zone === 'string' ? m.time_zone : 'UTC';
        if (!isKnownTimeZone(name)) throw new ErpRunError('ERP_BAD_RESPONSE', `ERPNext's time zone "${name}" is not one this server knows`);
        return name;
      }));
      /** A Customer (with its primary address) as a record. */
      const recordOf = async (c: FrappeCustomer): Promise<ErpRecord> => {
        const link = typeof c.customer_primary_address === 'string' && c.customer_primary_address ? c.customer_primary_address : undefined;
        const data = customerOf(c, link ? await client.doc<FrappeAddress>('Address', link) : undefined);
        if (typeof data === 'string') throw new ErpRunError('ERP_BAD_RESPONSE', `ERPNext answered Customer ${c.name} but ${data}`);
        return { externalId: c.name, modifiedAt: frappeTimeToIso(c.modified, await timeZone()), data, raw: c };
      };
      const sources: Record<ErpEntity, Source> = {
        customers: {
          doctype: 'Customer',
          fields: ['*'],
          filters: [],
          async map(rows) {
            const addresses = new Map<string, FrappeAddress | undefined>();
            const out: Mapped[] = [];
            for (const c of rows as FrappeCustomer[]) {
              const link = typeof c.customer_primary_address === 'string' && c.customer_primary_address ? c.customer_primary_address : undefined;
              if (link && !c.disabled && !addresses.has(link)) addresses.set(link, await client.doc<FrappeAddress>('Address', link));
              out.push({ name: c.name, modified: c.modified, deleted: Boolean(c.disabled), data: customerOf(c, link ? addresses.get(link) : undefined), raw: c });
            }
            return out;
          },
        },
        orders: {
          doctype: 'Sales Order',
          fields: SALES_ORDER_FIELDS,
          filters: DOCUMENT_FILTERS,
          map: async (rows) => documents(client, 'Sales Order', rows, async (doc: FrappeSalesOrder) => orderOf(doc, await timeZone())),
        },
        invoices: {
          doctype: 'Sales Invoice',
          fields: SALES_INVOICE_FIELDS,
          // Returns (credit notes) carry negative totals: not invoices of the read model.
          filters: [...DOCUMENT_FILTERS, ['is_return', '=', 0]],
          map: async (rows) => documents(client, 'Sales Invoice', rows, async (doc: FrappeSalesInvoice) => invoiceOf(doc, await timeZone())),
        },
      };
      return {
        entities: ['customers', 'orders', 'invoices'],
        async test() {
          await client.method<string>('frappe.auth.get_logged_user');
          await client.list('Customer', { fields: ['name'], filters: [], orderBy: 'modified asc', limit: 1 });
        },
        readChanges(entity: ErpEntity, cursor: string | null): AsyncIterable<ChangePage<unknown>> {
          return readDoctype(client, sources[entity], cursor, options.pageSize, timeZone);
        },
        async readById(entity: ErpEntity, externalId: string): Promise<ErpRecord<unknown> | undefined> {
          if (entity !== 'customers') return undefined;
          const c = await client.doc<FrappeCustomer>('Customer', externalId);
          return c && !c.disabled ? recordOf(c) : undefined;
        },
        async write(_entity: ErpWritableEntity, externalId: string | null, fields: ErpCustomerWrite, key?: string): Promise<ErpRecord> {
          return recordOf(await writeCustomer(client, externalId, fields, key, config.keyField ?? 'customer_pos_id'));
        },
      };
    },
  };
}

/** Reads each listed document whole (child tables are not in list rows) and maps it. */
async function documents<T extends { name: string; modified: string }>(client: ErpNextClient, doctype: string, rows: Array<{ name: string; modified: string }>, map: (doc: T) => Promise<unknown>): Promise<Mapped[]> {
  const out: Mapped[] = [];
  for (const row of rows) {
    const doc = await client.doc<T>(doctype, row.name);
    // Deleted between the list and the read: the next full run reports it.
    if (!doc) continue;
    out.push({ name: row.name, modified: row.modified, deleted: false, data: await map(doc), raw: doc });
  }
  return out;
}

function parseCursor(cursor: string | null): { modified: string; name: string } | undefined {
  if (!cursor) return undefined;
  const at = cursor.indexOf('|');
  return at < 0 ? undefined : { modified: cursor.slice(0, at), name: cursor.slice(at + 1) };
}

/**
 * Pages of a DocType after the cursor. Rows sharing the cursor's `modified` are finished
 * first (`modified = t AND name > n`), then later rows (`modified > t`), so neither a
 * second full of equal timestamps nor a page boundary inside one skips or repeats a row.
 */
async function* readDoctype(client: ErpNextClient, source: Source, cursor: string | null, pageSize: number, timeZone: () => Promise<string>): AsyncGenerator<ChangePage<unknown>> {
  let after = parseCursor(cursor);
  let tiesLeft = after !== undefined;
  for (;;) {
    const ties = tiesLeft ? after : undefined;
    const filters: FrappeFilter[] = ties
      ? [...source.filters, ['modified', '=', ties.modified], ['name', '>', ties.name]]
      : [...source.filters, ...(after ? [['modified', '>', after.modified] as FrappeFilter] : [])];
    const rows = await client.list<{ name: string; modified: string }>(source.doctype, { fields: source.fields, filters, orderBy: ties ? 'name asc' : 'modified asc, name asc', limit: pageSize });
    if (rows.some((r) => typeof r?.name !== 'string' || typeof r.modified !== 'string')) throw new ErpRunError('ERP_BAD_RESPONSE', `ERPNext answered the list of ${source.doctype} with rows lacking name or modified`);
    // A full page may stop inside a run of equal `modified`: finish that run next.
    tiesLeft = rows.length === pageSize;
    if (rows.length === 0) {
      if (ties) continue;
      return;
    }
    const zone = await timeZone();
    const page: ChangePage<unknown> = { records: [], deleted: [], rejected: [], cursor: null };
    for (const m of await source.map(rows)) {
      if (m.deleted) page.deleted!.push(m.name);
      else if (typeof m.data === 'string') page.rejected!.push({ externalId: m.name, message: m.data, raw: m.raw });
      else page.records.push({ externalId: m.name, modifiedAt: frappeTimeToIso(m.modified, zone), data: m.data, raw: m.raw });
    }
    const last = rows[rows.length - 1]!;
    after = { modified: last.modified, name: last.name };
    page.cursor = `${after.modified}|${after.name}`;
    yield page;
    if (!ties && rows.length < pageSize) return;
  }
}
