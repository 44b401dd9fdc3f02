/**
 * The Odoo adapter: `res.partner` → customers (companies, and their contacts linked
 * through `parent_id`), `sale.order` → orders, `account.move` (customer invoices) →
 * invoices. Changes are read in `write_date, id` order with the cursor
 * `<write_date>|<id>`, so records sharing one second of `write_date` are neither skipped
 * nor read twice. Archived partners (`active = false`, read with `active_test: false`)
 * count as deleted; a partner removed outright is found by a full run's comparison
 * (Odoo has no change feed of deletions).
 *
 * @module
 */
import { ErpRunError, type AdapterRuntime, type ChangePage, type ErpAdapter, type ErpConnector, type ErpCustomer, type ErpCustomerWrite, type ErpEntity, type ErpRecord, type ErpWritableEntity } from '../../core/plugin/index.js';
import { invoiceOfMove, isoOf, orderOfSale, ORDER_LINE_FIELDS, SALE_FIELDS, MOVE_FIELDS, type OdooMove, type OdooSale, type OdooSaleLine } from './odoo-documents.js';
import { json2Client, jsonRpcClient, type OdooClient, type OdooConfig } from './odoo-client.js';

/** Options of the erp-odoo plugin. */
export interface OdooAdapterOptions {
  /** Records per `search_read` call (default 200). */
  pageSize: number;
}

const PARTNER_FIELDS = ['id', 'name', 'is_company', 'parent_id', 'email', 'phone', 'street', 'street2', 'city', 'zip', 'state_id', 'country_code', 'active', 'write_date'];

/** A `res.partner` as `search_read` returns it (many2one: `[id, display name]` or `false`). */
export interface OdooPartner {
  id: number;
  name: string | false;
  is_company: boolean;
  parent_id: [number, string] | false;
  email: string | false;
  phone: string | false;
  street: string | false;
  street2: string | false;
  city: string | false;
  zip: string | false;
  state_id: [number, string] | false;
  country_code: string | false;
  active: boolean;
  write_date: string;
  [field: string]: unknown;
}

/** The adapter's config schema (the contract's `{url, database, apiKey, protocol?, login?}`). */
export const odooConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'database', 'apiKey'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    database: { type: 'string', minLength: 1, maxLength: 200 },
    apiKey: { type: 'string', minLength: 1, maxLength: 500 },
    protocol: { type: 'string', enum: ['json2', 'jsonrpc'], default: 'json2' },
    login: { type: 'string', minLength: 1, maxLength: 200 },
    // The partner field holding the CRM's id of a partner the CRM created (`ref`, or a custom `x_…` field).
    keyField: { type: 'string', pattern: '^(ref|x_[a-z0-9_]{1,60})$', default: 'ref' },
  },
};


const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Maps a partner to a customer; undefined (with the reason) when it cannot be one. */
export function customerOfPartner(p: OdooPartner): ErpCustomer | string {
  const name = text(p.name);
  if (!name) return 'the partner has no name';
  const address = text(p.street) ?? text(p.city);
  const country = text(p.country_code);
  return {
    kind: p.is_company ? 'organization' : 'person',
    name,
    emails: text(p.email) ? [{ value: text(p.email)! }] : [],
    phones: text(p.phone) ? [{ value: text(p.phone)! }] : [],
    addresses: address
      ? [{
          line1: text(p.street) ?? text(p.city)!,
          ...(text(p.street2) && { line2: text(p.street2) }),
          ...(text(p.city) && { city: text(p.city) }),
          ...(p.state_id && { region: p.state_id[1] }),
          ...(text(p.zip) && { postalCode: text(p.zip) }),
          ...(country && country.length === 2 && { country: country.toUpperCase() }),
        }]
      : [],
    organizationRef: !p.is_company && p.parent_id ? String(p.parent_id[0]) : null,
  };
}

/** The `res.partner` values of a write: Odoo has one email and one phone per partner, so the first of each. */
function partnerValues(fields: ErpCustomerWrite): Record<string, unknown> {
  const vals: Record<string, unknown> = {};
  if (fields.kind !== undefined) vals.is_company = fields.kind === 'organization';
  if (fields.name !== undefined) vals.name = fields.name;
  if (fields.emails !== undefined) vals.email = fields.emails[0]?.value ?? false;
  if (fields.phones !== undefined) vals.phone = fields.phones[0]?.value ?? false;
  return vals;
}

/** One active partner as a record; undefined when archived, gone or unmappable. */
async function readPartner(client: OdooClient, id: number, context: Record<string, unknown>): Promise<ErpRecord | undefined> {
  const [partner] = await client.call<OdooPartner[]>('res.partner', 'search_read', { kwargs: { domain: [['id', '=', id]], fields: PARTNER_FIELDS, context } });
  if (!partner || !partner.active) return undefined;
  const data = customerOfPartner(partner);
  return typeof data === 'string' ? undefined : { externalId: String(id), modifiedAt: isoOf(partner.write_date), data, raw: partner };
}

/** The partner carrying `key` in `keyField` (archived ones too), if any. */
async function partnerByKey(client: OdooClient, keyField: string, key: string, context: Record<string, unknown>): Promise<number | undefined> {
  const [found] = await client.call<Array<{ id: number }>>('res.partner', 'search_read', { kwargs: { domain: [[keyField, '=', key]], fields: ['id'], order: 'id asc', limit: 1, context } });
  return found?.id;
}

/**
 * Creates a partner carrying the CRM's id in `keyField`, unless one already carries it (an
 * earlier create whose reply was lost): that one is written instead. The create is sent
 * once; when its reply is lost or is a 5xx, the key tells whether Odoo committed it.
 */
async function createPartner(client: OdooClient, vals: Record<string, unknown>, key: string | undefined, keyField: string, context: Record<string, unknown>): Promise<number> {
  const update = async (id: number) => {
    await client.call<boolean>('res.partner', 'write', { ids: [id], kwargs: { vals, context } });
    return id;
  };
  const existing = key === undefined ? undefined : await partnerByKey(client, keyField, key, context);
  if (existing !== undefined) return update(existing);
  let ids: number[];
  try {
    // `create(vals_list)` answers the new ids, in both protocols.
    ids = await client.call<number[]>('res.partner', 'create', { kwargs: { vals_list: [{ ...vals, ...(key !== undefined && { [keyField]: key }) }], context }, retry: false });
  } catch (err) {
    if (!(err instanceof ErpRunError) || !err.transient || key === undefined) throw err;
    const made = await partnerByKey(client, keyField, key, context);
    if (made === undefined) throw err;
    return update(made);
  }
  if (!Array.isArray(ids) || typeof ids[0] !== 'number') throw new ErpRunError('ERP_BAD_RESPONSE', 'Odoo answered res.partner.create without the new id');
  return ids[0];
}

function parseCursor(cursor: string | null): { date: string; id: number } | undefined {
  if (!cursor) return undefined;
  const at = cursor.lastIndexOf('|');
  return { date: cursor.slice(0, at), id: Number(cursor.slice(at + 1)) };
}

/** Creates the adapter. */
export function odooAdapter(options: OdooAdapterOptions): ErpAdapter {
  return {
    name: 'odoo',
    configSchema: odooConfigSchema,
    secretFields: ['apiKey'],
    pulls: true,
    writes: { customers: ['name', 'emails', 'phones'] },
    connect(raw: Record<string, unknown>, runtime: AdapterRuntime): ErpConnector {
      const config = raw as unknown as OdooConfig;
      const client: OdooClient = config.protocol === 'jsonrpc' ? jsonRpcClient(config, runtime) : json2Client(config, runtime);
      const context = { active_test: false };
      return {
        entities: ['customers', 'orders', 'invoices'],
        async test() {
          await client.call<number>('res.partner', 'search_count', { kwargs: { domain: [], context } });
        },
        readChanges(entity: ErpEntity, cursor: string | null): AsyncIterable<ChangePage<unknown>> {
          if (entity === 'customers') return readModel<OdooPartner>(client, 'res.partner', [], PARTNER_FIELDS, cursor, options.pageSize, context, async (partners) => partners.map((p) => ({ id: p.id, active: p.active, writeDate: p.write_date, data: customerOfPartner(p), raw: p })));
          if (entity === 'orders') {
            // Quotations (draft, sent) are not orders yet.
            return readModel<OdooSale>(client, 'sale.order', [['state', 'in', ['sale', 'done', 'cancel']]], SALE_FIELDS, cursor, options.pageSize, context, async (sales) => {
              const lines = sales.length ? await client.call<OdooSaleLine[]>('sale.order.line', 'search_read', { kwargs: { domain: [['order_id', 'in', sales.map((o) => o.id)]], fields: ORDER_LINE_FIELDS, order: 'order_id asc, sequence asc, id asc', context } }) : [];
              return sales.map((o) => ({ id: o.id, active: true, writeDate: o.write_date, data: orderOfSale(o, lines.filter((l) => l.order_id && l.order_id[0] === o.id)), raw: o }));
            });
          }
          return readModel<OdooMove>(client, 'account.move', [['move_type', '=', 'out_invoice'], ['state', 'in', ['posted', 'cancel']]], MOVE_FIELDS, cursor, options.pageSize, context, async (moves) => {
            // `invoice_origin` names the sale order ("S00012"); the read model refers to its id.
            const origins = [...new Set(moves.map((m) => m.invoice_origin).filter((x): x is string => typeof x === 'string' && x !== ''))];
            const sales = origins.length ? await client.call<Array<{ id: number; name: string }>>('sale.order', 'search_read', { kwargs: { domain: [['name', 'in', origins]], fields: ['name'], context } }) : [];
            const byName = new Map(sales.map((o) => [o.name, String(o.id)]));
            return moves.map((m) => ({ id: m.id, active: true, writeDate: m.write_date, data: invoiceOfMove(m, byName), raw: m }));
          });
        },
        async readById(entity: ErpEntity, externalId: string): Promise<ErpRecord<unknown> | undefined> {
          if (entity !== 'customers' || !/^\d+$/.test(externalId)) return undefined;
          return readPartner(client, Number(externalId), context);
        },
        async write(_entity: ErpWritableEntity, externalId: string | null, fields: ErpCustomerWrite, key?: string): Promise<ErpRecord> {
          const id = externalId === null ? await createPartner(client, partnerValues(fields), key, config.keyField ?? 'ref', context) : Number(externalId);
          if (externalId !== null) await client.call<boolean>('res.partner', 'write', { ids: [id], kwargs: { vals: partnerValues(fields), context } });
          // Read back: the base keeps what Odoo stored, not what was sent.
          const record = await readPartner(client, id, context);
          if (!record) throw new ErpRunError('ERP_RECORD_MISSING', `Odoo has no active res.partner ${id} after writing it`);
          return record;
        },
      };
    },
  };
}

/** One record of a page, mapped (or the reason it cannot be). */
interface Mapped {
  id: number;
  active: boolean;
  writeDate: string;
  data: unknown;
  raw: unknown;
}

/**
 * Reads a model in `write_date, id` order from the cursor on, a page per `search_read`;
 * archived records are reported deleted, unmappable ones rejected with the reason.
 */
async function* readModel<T>(client: OdooClient, model: string, filter: unknown[], fields: string[], cursor: string | null, pageSize: number, context: Record<string, unknown>, map: (rows: T[]) => Promise<Mapped[]>): AsyncGenerator<ChangePage<unknown>> {
  let after = parseCursor(cursor);
  for (;;) {
    // (write_date, id) > (after.date, after.id), in Odoo's prefix notation; the filter is AND-ed.
    const since = after ? ['|', ['write_date', '>', after.date], '&', ['write_date', '=', after.date], ['id', '>', after.id]] : [];
    const rows = await client.call<T[]>(model, 'search_read', { kwargs: { domain: [...filter, ...since], fields, order: 'write_date asc, id asc', limit: pageSize, context } });
    if (!Array.isArray(rows)) throw new ErpRunError('ERP_BAD_RESPONSE', `Odoo answered ${model}.search_read with something other than a list of records`);
    if (rows.length === 0) return;
    const page: ChangePage<unknown> = { records: [], deleted: [], rejected: [], cursor: null };
    const mapped = await map(rows);
    for (const m of mapped) {
      const externalId = String(m.id);
      if (!m.active) page.deleted!.push(externalId);
      else if (typeof m.data === 'string') page.rejected!.push({ externalId, message: m.data, raw: m.raw });
      else page.records.push({ externalId, modifiedAt: isoOf(m.writeDate), data: m.data, raw: m.raw });
    }
    const last = mapped[mapped.length - 1]!;
    after = { date: last.writeDate, id: last.id };
    page.cursor = `${after.date}|${after.id}`;
    yield page;
    if (rows.length < pageSize) return;
  }
}
