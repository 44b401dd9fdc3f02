/**
 * A protocol-faithful fake of Frappe's REST API as ERPNext serves it, for tests and the
 * bench. It is a fake, not ERPNext: written from Frappe's public REST API documentation
 * ("REST API": `/api/resource/<DocType>` with `fields`, `filters`, `order_by`,
 * `limit_start`, `limit_page_length`; `/api/method/<path>`; token authentication
 * `Authorization: token <api_key>:<api_secret>`) and from Frappe's source (`frappe/api`
 * v1 routes, `frappe/auth.py` raising `AuthenticationError` for a wrong key or secret,
 * `frappe/utils/response.py` `report_error` answering `{exc_type, exception?,
 * _server_messages?}` with the exception's HTTP status, `frappe.client.get_time_zone`).
 * Lists answer `{data: [...]}` with only the asked fields (`*`: every field but child
 * tables), default page 20; a document answers `{data: {...}}` with its child tables;
 * `modified` is the site's wall clock (`YYYY-MM-DD HH:MM:SS.ffffff`, here Asia/Tehran).
 * Writes follow ERPNext's controllers where the adapter depends on them: a Customer's
 * email and mobile live on its primary Contact (see `afterSave`), its Link fields must
 * name existing records. A create can commit and lose its reply (`loseNextCreateReply`).
 *
 * @module
 */
import type http from 'node:http';
import { LoopbackFake } from '../../testing/loopback-fake.js';
import { frappeTimestamp } from '../erpnext-time.js';

/** A document: `name`, `modified`, `docstatus` and whatever fields a test sets. */
export type FrappeFakeDoc = Record<string, unknown> & { name: string; modified: string; docstatus: number };

/** What the fake saw, for assertions on the protocol. */
export interface ErpNextFakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

/** Fields of each DocType the fake knows (child tables listed in TABLES). */
const FIELDS: Record<string, Set<string>> = {
  Customer: new Set(['name', 'customer_name', 'customer_type', 'customer_group', 'territory', 'email_id', 'mobile_no', 'customer_primary_address', 'customer_primary_contact', 'customer_pos_id', 'tax_id', 'disabled', 'modified', 'creation', 'owner', 'docstatus']),
  Contact: new Set(['name', 'first_name', 'last_name', 'company_name', 'email_id', 'mobile_no', 'is_primary_contact', 'modified', 'creation', 'docstatus']),
  'Customer Group': new Set(['name', 'modified', 'creation', 'docstatus']),
  Territory: new Set(['name', 'modified', 'creation', 'docstatus']),
  Address: new Set(['name', 'address_title', 'address_type', 'address_line1', 'address_line2', 'city', 'state', 'pincode', 'country', 'modified', 'creation', 'docstatus']),
  'Sales Order': new Set(['name', 'customer', 'customer_name', 'status', 'docstatus', 'transaction_date', 'delivery_date', 'grand_total', 'currency', 'per_delivered', 'per_billed', 'modified', 'creation']),
  'Sales Invoice': new Set(['name', 'customer', 'customer_name', 'status', 'docstatus', 'posting_date', 'due_date', 'grand_total', 'outstanding_amount', 'currency', 'is_return', 'modified', 'creation']),
};
const TABLES: Record<string, Record<string, string>> = {
  Contact: { email_ids: 'Contact Email', phone_nos: 'Contact Phone', links: 'Dynamic Link' },
  'Sales Order': { items: 'Sales Order Item' },
  'Sales Invoice': { items: 'Sales Invoice Item' },
};
const SERIES: Record<string, string> = { 'Sales Order': 'SAL-ORD-2026-', 'Sales Invoice': 'ACC-SINV-2026-' };
/** Link fields of a Customer a save checks (Frappe's LinkValidationError for a missing target). */
const CUSTOMER_LINKS: Record<string, string> = { customer_group: 'Customer Group', territory: 'Territory' };

class FrappeFault extends Error {
  constructor(readonly status: number, readonly excType: string, message = '') {
    super(message);
  }
}

/** The fake server. */
export class ErpNextFake extends LoopbackFake {
  readonly apiKey = '3f2a9c1e7b5d4a0';
  readonly apiSecret = '8e7d6c5b4a39281';
  readonly user = 'sync@peyvand.example';
  readonly timeZone = 'Asia/Tehran';
  readonly requests: ErpNextFakeRequest[] = [];
  private readonly docs = new Map<string, Map<string, FrappeFakeDoc>>();
  private readonly counters = new Map<string, number>();
  private micros = 0;

  constructor() {
    super();
    // The records a fresh ERPNext site has for the Customer's link fields (setup wizard defaults), and one a test names.
    for (const name of ['All Customer Groups', 'Commercial', 'Individual']) this.insert('Customer Group', { name });
    for (const name of ['All Territories', 'Iran']) this.insert('Territory', { name });
  }

  /** `modified` as Frappe writes it: microseconds differ between writes, as they do in Frappe. */
  private stamp(): string {
    return frappeTimestamp(this.now, this.timeZone, this.micros++);
  }

  private table(doctype: string): Map<string, FrappeFakeDoc> {
    let t = this.docs.get(doctype);
    if (!t) this.docs.set(doctype, (t = new Map()));
    return t;
  }

  /**
   * Inserts a document, named as ERPNext's defaults name it: a Customer by its
   * `customer_name`, an Address `<title>-<type>`, orders and invoices by their series.
   */
  insert(doctype: string, values: Record<string, unknown>, modified = this.stamp()): string {
    const series = SERIES[doctype];
    const next = (this.counters.get(doctype) ?? 0) + 1;
    this.counters.set(doctype, next);
    const name = typeof values.name === 'string'
      ? values.name
      : series !== undefined
        ? `${series}${String(next).padStart(5, '0')}`
        : doctype === 'Address' ? `${String(values.address_title)}-${String(values.address_type ?? 'Billing')}` : doctype === 'Contact' ? this.contactName(values) : String(values.customer_name);
    if (this.table(doctype).has(name)) throw new FrappeFault(409, 'DuplicateEntryError', `${doctype} ${name} already exists`);
    const doc: FrappeFakeDoc = { docstatus: 0, ...values, name, modified, creation: modified };
    this.setTables(doc, doctype, values);
    this.table(doctype).set(name, doc);
    return name;
  }

  /** Frappe's Contact autoname: first and last name, `-company` when set, a number appended when taken. */
  private contactName(values: Record<string, unknown>): string {
    const base = [values.first_name, values.last_name].filter((x) => typeof x === 'string' && x.trim()).join(' ') + (typeof values.company_name === 'string' && values.company_name ? `-${values.company_name}` : '');
    let name = base;
    for (let n = 1; this.table('Contact').has(name); n++) name = `${base}-${n}`;
    return name;
  }

  /** Child tables given in `values` replace the document's rows, as Frappe's `doc.update` does. */
  private setTables(doc: FrappeFakeDoc, doctype: string, values: Record<string, unknown>): void {
    for (const [field, childType] of Object.entries(TABLES[doctype] ?? {})) {
      if (!(field in values) && field in doc) continue;
      doc[field] = ((values[field] as Record<string, unknown>[] | undefined) ?? []).map((row, i) => ({ ...row, name: `${doc.name}-${field}-${i + 1}`, parent: doc.name, parenttype: doctype, parentfield: field, idx: i + 1, doctype: childType }));
    }
  }

  /** Updates fields (bumping `modified`, or setting the one given). */
  update(doctype: string, name: string, values: Record<string, unknown>, modified = this.stamp()): void {
    const doc = this.table(doctype).get(name);
    if (!doc) throw new Error(`no ${doctype} ${name}`);
    const tables = TABLES[doctype] ?? {};
    Object.assign(doc, Object.fromEntries(Object.entries(values).filter(([k]) => !(k in tables))), { modified });
    this.setTables(doc, doctype, values);
  }

  /** Deletes a document outright: it disappears from every read. */
  remove(doctype: string, name: string): void {
    this.table(doctype).delete(name);
  }

  get(doctype: string, name: string): FrappeFakeDoc | undefined {
    return this.table(doctype).get(name);
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers });
    try {
      const failure = this.nextFailure();
      if (failure) throw new FrappeFault(failure, 'ServiceUnavailable');
      const user = this.authenticate(String(req.headers.authorization ?? ''));
      const method = /^\/api\/method\/([\w.]+)$/.exec(url.pathname);
      if (method) return this.send(res, 200, { message: this.callMethod(method[1]!, user) });
      const resource = /^\/api\/resource\/([^/]+)(?:\/(.+?))?\/?$/.exec(url.pathname);
      if (!resource) throw new FrappeFault(404, 'DoesNotExistError', 'Not Found');
      const doctype = decodeURIComponent(resource[1]!);
      if (!FIELDS[doctype]) throw new FrappeFault(404, 'DoesNotExistError', `DocType ${doctype} not found`);
      if (user === 'Guest') throw new FrappeFault(403, 'PermissionError', `No permission for ${doctype}`);
      const name = resource[2] === undefined ? undefined : decodeURIComponent(resource[2]);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      if (req.method === 'GET' && name === undefined) return this.send(res, 200, { data: this.list(doctype, url.searchParams) });
      if (req.method === 'POST' && name === undefined) {
        const inserted = this.insert(doctype, this.writable(doctype, body, true));
        this.afterSave(doctype, inserted);
        if (this.dropReplyOfCreate(res)) return;
        return this.send(res, 200, { data: this.get(doctype, inserted) });
      }
      const doc = name === undefined ? undefined : this.get(doctype, name);
      if (!doc) throw new FrappeFault(404, 'DoesNotExistError', `${doctype} ${name ?? ''} not found`);
      if (req.method === 'GET') return this.send(res, 200, { data: doc });
      if (req.method === 'PUT') {
        this.update(doctype, doc.name, this.writable(doctype, body, false));
        this.afterSave(doctype, doc.name);
        return this.send(res, 200, { data: doc });
      }
      throw new FrappeFault(405, 'MethodNotAllowed');
    } catch (err) {
      if (err instanceof SyntaxError) return this.fail(res, new FrappeFault(417, 'ValidationError', `Invalid JSON: ${err.message}`));
      if (err instanceof FrappeFault) return this.fail(res, err);
      return this.fail(res, new FrappeFault(500, 'Exception', err instanceof Error ? err.message : String(err)));
    }
  }

  /**
   * The values an insert or save keeps, as Frappe's document does: fields the DocType does
   * not have are dropped, `name`, `modified` and `creation` are the server's, a Customer
   * needs `customer_name` (MandatoryError, 417); a rejection a test asked for is a
   * ValidationError (417, with the message in `_server_messages`).
   */
  private writable(doctype: string, body: Record<string, unknown>, inserting: boolean): Record<string, unknown> {
    const rejection = this.nextWriteRejection();
    if (rejection) throw new FrappeFault(417, 'ValidationError', rejection);
    const known = FIELDS[doctype]!;
    const tables = TABLES[doctype] ?? {};
    const values = Object.fromEntries(Object.entries(body).filter(([k]) => (known.has(k) || k in tables) && !['name', 'modified', 'creation', 'owner', 'docstatus'].includes(k)));
    if (doctype === 'Customer' && (inserting || 'customer_name' in values) && !(typeof values.customer_name === 'string' && values.customer_name.trim())) throw new FrappeFault(417, 'MandatoryError', '[Customer]: customer_name');
    for (const [field, target] of Object.entries(doctype === 'Customer' ? CUSTOMER_LINKS : {})) {
      const value = values[field];
      if (typeof value === 'string' && value !== '' && !this.get(target, value)) throw new FrappeFault(417, 'LinkValidationError', `Could not find ${target}: ${value}`);
    }
    return values;
  }

  /**
   * What ERPNext's controllers do on a save: a Contact's `email_id` and `mobile_no` are its
   * primary rows' (`set_primary_email`, `set_primary("mobile_no")`, a single row being the
   * primary); a Customer's `email_id` and `mobile_no` are fetched from its primary contact
   * (`fetch_from`, so values sent for them are overwritten), and a Customer without one
   * that has either gets a new Contact linked to it (`create_primary_contact`).
   */
  private afterSave(doctype: string, name: string): void {
    const doc = this.get(doctype, name)!;
    if (doctype === 'Contact') {
      const emails = (doc.email_ids ?? []) as Record<string, unknown>[];
      const phones = (doc.phone_nos ?? []) as Record<string, unknown>[];
      if (emails.length === 1) emails[0]!.is_primary = 1;
      if (phones.length === 1) phones[0]!.is_primary_mobile_no = 1;
      doc.email_id = emails.find((r) => r.is_primary === 1)?.email_id ?? null;
      doc.mobile_no = phones.find((r) => r.is_primary_mobile_no === 1)?.phone ?? null;
      return;
    }
    if (doctype !== 'Customer') return;
    const contact = typeof doc.customer_primary_contact === 'string' ? this.get('Contact', doc.customer_primary_contact) : undefined;
    if (!contact && (doc.email_id || doc.mobile_no)) {
      const made = this.insert('Contact', {
        first_name: doc.customer_name, is_primary_contact: 1, links: [{ link_doctype: 'Customer', link_name: name }],
        email_ids: doc.email_id ? [{ email_id: doc.email_id, is_primary: 1 }] : [], phone_nos: doc.mobile_no ? [{ phone: doc.mobile_no, is_primary_mobile_no: 1 }] : [],
      });
      this.afterSave('Contact', made);
      doc.customer_primary_contact = made;
      return;
    }
    if (contact) Object.assign(doc, { email_id: contact.email_id ?? null, mobile_no: contact.mobile_no ?? null });
  }

  /** `token key:secret` is the API user; no header is Guest; a wrong pair is a 401 for every route. */
  private authenticate(header: string): string {
    if (!header) return 'Guest';
    const [type, token = ''] = header.split(' ');
    const [key, secret] = token.split(':');
    if (type?.toLowerCase() !== 'token' || key !== this.apiKey || secret !== this.apiSecret) throw new FrappeFault(401, 'AuthenticationError');
    return this.user;
  }

  private callMethod(path: string, user: string): unknown {
    if (path === 'frappe.client.get_time_zone') return { time_zone: this.timeZone };
    if (path === 'frappe.auth.get_logged_user') {
      if (user === 'Guest') throw new FrappeFault(403, 'PermissionError', 'Not permitted');
      return user;
    }
    throw new FrappeFault(404, 'DoesNotExistError', `Method ${path} not found`);
  }

  private list(doctype: string, query: URLSearchParams): Record<string, unknown>[] {
    const known = FIELDS[doctype]!;
    const fields = parseJson<string[]>(query.get('fields'), ['name']);
    for (const f of fields) if (f !== '*' && !known.has(f)) throw new FrappeFault(417, 'DataError', `Field not permitted in query: ${f}`);
    const filters = normalizeFilters(doctype, parseJson<unknown>(query.get('filters'), []));
    for (const [field] of filters) if (!known.has(field)) throw new FrappeFault(417, 'DataError', `Field not permitted in query: ${field}`);
    const rows = [...this.table(doctype).values()].filter((doc) => filters.every((f) => matches(doc, f)));
    sortRows(rows, query.get('order_by') || 'modified desc', known);
    const start = Number(query.get('limit_start') ?? 0) || 0;
    const length = Number(query.get('limit_page_length') ?? query.get('limit') ?? 20);
    const page = length > 0 ? rows.slice(start, start + length) : rows.slice(start);
    const tables = TABLES[doctype] ?? {};
    return page.map((doc) => Object.fromEntries((fields.includes('*') ? Object.keys(doc).filter((k) => !(k in tables)) : fields).map((f) => [f, doc[f] ?? null])));
  }

  private fail(res: http.ServerResponse, fault: FrappeFault): void {
    // `_server_messages`: a JSON list of JSON-encoded message dicts, as frappe.throw queues them.
    const messages = fault.message ? { _server_messages: JSON.stringify([JSON.stringify({ message: fault.message, title: 'Message', indicator: 'red', raise_exception: 1 })]) } : {};
    this.send(res, fault.status, { exception: `frappe.exceptions.${fault.excType}${fault.message ? `: ${fault.message}` : ''}`, exc_type: fault.excType, ...messages });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

type Filter = [string, string, unknown];

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new FrappeFault(417, 'ValidationError', `Invalid JSON: ${text.slice(0, 100)}`);
  }
}

/** `[[field, op, value]]`, `[[doctype, field, op, value]]` or `{field: value | [op, value]}`. */
function normalizeFilters(doctype: string, raw: unknown): Filter[] {
  const entries: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'object' && raw !== null ? Object.entries(raw).map(([k, v]) => (Array.isArray(v) ? [k, v[0], v[1]] : [k, '=', v])) : [];
  return entries.map((f) => {
    if (!Array.isArray(f) || f.length < 3 || f.length > 4) throw new FrappeFault(417, 'ValidationError', `Invalid filter: ${JSON.stringify(f)}`);
    const [field, op, value] = (f.length === 4 ? f.slice(1) : f) as Filter;
    if (f.length === 4 && f[0] !== doctype) throw new FrappeFault(417, 'ValidationError', `Invalid filter doctype: ${String(f[0])}`);
    if (!['=', '!=', '>', '>=', '<', '<=', 'in', 'not in', 'like'].includes(String(op).toLowerCase())) throw new FrappeFault(417, 'ValidationError', `Operator must be one of =, !=, >, >=, <, <=, in, not in, like: ${String(op)}`);
    return [field, String(op).toLowerCase(), value];
  });
}

/** SQL-ish comparison: numbers as numbers, everything else as text; null as "". */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && (typeof b === 'number' || (typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))))) return a - Number(b);
  const x = a === null || a === undefined ? '' : String(a);
  const y = b === null || b === undefined ? '' : String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function matches(doc: FrappeFakeDoc, [field, op, value]: Filter): boolean {
  const actual = doc[field];
  const list = () => (Array.isArray(value) ? value : String(value).split(',').map((v) => v.trim()));
  switch (op) {
    case '=': return compare(actual, value) === 0;
    case '!=': return compare(actual, value) !== 0;
    case '>': return compare(actual, value) > 0;
    case '>=': return compare(actual, value) >= 0;
    case '<': return compare(actual, value) < 0;
    case '<=': return compare(actual, value) <= 0;
    case 'in': return list().some((v) => compare(actual, v) === 0);
    case 'not in': return !list().some((v) => compare(actual, v) === 0);
    default: {
      const pattern = String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
      return new RegExp(`^${pattern}$`, 'i').test(String(actual ?? ''));
    }
  }
}

/** `order_by` as Frappe takes it: `field [asc|desc], …` (a `tab<DocType>`.field prefix allowed). */
function sortRows(rows: FrappeFakeDoc[], orderBy: string, known: Set<string>): void {
  const keys = orderBy.split(',').map((part) => {
    const [raw = '', dir = 'asc'] = part.trim().split(/\s+/);
    const field = raw.replace(/^`tab[^`]+`\./, '').replace(/`/g, '');
    if (!known.has(field) || !/^(asc|desc)$/i.test(dir)) throw new FrappeFault(417, 'ValidationError', `Invalid order_by: ${orderBy}`);
    return { field, desc: dir.toLowerCase() === 'desc' };
  });
  rows.sort((a, b) => {
    for (const { field, desc } of keys) {
      const c = compare(a[field], b[field]);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}
