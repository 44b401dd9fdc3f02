/**
 * A protocol-faithful fake of Odoo's external API, for tests and the bench. It is a
 * fake, not Odoo: written from Odoo 19's "External JSON-2 API" documentation
 * (`/json/2/<model>/<method>`, bearer API key, `X-Odoo-Database`, named parameters, the
 * `{name, message, arguments, context, debug}` error body with 401/403/404/422 statuses)
 * and from the legacy "External API" (`/jsonrpc`, `common.login`, `object.execute_kw`,
 * errors as `{error: {code: 200, message: "Odoo Server Error", data: {name, message,
 * arguments, debug}}}` in an HTTP 200). Domains use Odoo's prefix notation (`&`, `|`,
 * `!`, leaves `[field, operator, value]`); `write_date` has one-second resolution like
 * Odoo's, so cursors must break ties by id; `active_test` hides archived records unless
 * the context turns it off.
 *
 * @module
 */
import type http from 'node:http';
import { LoopbackFake } from '../../testing/loopback-fake.js';

/** A record of a model: an id, `write_date`, `active`, and whatever fields a test sets. */
export type OdooFakeRecord = Record<string, unknown> & { id: number; write_date: string; active: boolean };

type Leaf = [string, string, unknown];
type DomainItem = '&' | '|' | '!' | Leaf;

/** What the fake saw, for assertions on the protocol. */
export interface OdooFakeRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** The fake server. */
export class OdooFake extends LoopbackFake {
  readonly database = 'peyvand_test';
  readonly apiKey = 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233';
  readonly login = 'sync-bot';
  readonly requests: OdooFakeRequest[] = [];
  private readonly models = new Map<string, Map<number, OdooFakeRecord>>();
  private nextId = 1;

  private writeDate(): string {
    return this.now.toISOString().slice(0, 19).replace('T', ' ');
  }

  private table(model: string): Map<number, OdooFakeRecord> {
    let t = this.models.get(model);
    if (!t) this.models.set(model, (t = new Map()));
    return t;
  }

  /** Creates a record as Odoo's `create` would (id, `write_date`, `active`). */
  create(model: string, values: Record<string, unknown>): number {
    const id = this.nextId++;
    this.table(model).set(id, { active: true, ...values, id, write_date: this.writeDate() });
    return id;
  }

  /** Writes fields as Odoo's `write` would (bumping `write_date`). */
  write(model: string, id: number, values: Record<string, unknown>): void {
    const record = this.table(model).get(id);
    if (!record) throw new Error(`no ${model} ${id}`);
    Object.assign(record, values, { write_date: this.writeDate() });
  }

  /** Deletes a record outright (`unlink`): it simply disappears from every read. */
  unlink(model: string, id: number): void {
    this.table(model).delete(id);
  }

  get(model: string, id: number): OdooFakeRecord | undefined {
    return this.table(model).get(id);
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return this.send(res, 400, { name: 'werkzeug.exceptions.BadRequest', message: 'Invalid JSON data', arguments: [], context: {}, debug: '' });
    }
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    this.requests.push({ path, headers: req.headers, body });
    const failure = this.nextFailure();
    if (failure) return this.send(res, failure, { name: 'werkzeug.exceptions.ServiceUnavailable', message: 'Service Unavailable', arguments: [], context: {}, debug: '' });
    if (req.method !== 'POST') return this.send(res, 405, { name: 'werkzeug.exceptions.MethodNotAllowed', message: 'Method Not Allowed', arguments: [], context: {}, debug: '' });
    const json2 = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    if (json2) return this.json2(req, res, decodeURIComponent(json2[1]!), decodeURIComponent(json2[2]!), body as Record<string, unknown>);
    if (path === '/jsonrpc') return this.jsonRpc(res, body as { id?: unknown; params?: { service?: string; method?: string; args?: unknown[] } });
    return this.send(res, 404, { name: 'werkzeug.exceptions.NotFound', message: 'Not Found', arguments: [], context: {}, debug: '' });
  }

  private json2(req: http.IncomingMessage, res: http.ServerResponse, model: string, method: string, body: Record<string, unknown>): void {
    const auth = String(req.headers.authorization ?? '');
    if (!/^bearer /i.test(auth) || auth.slice(7) !== this.apiKey) return this.send(res, 401, errorBody('werkzeug.exceptions.Unauthorized', 'Invalid apikey', [401]));
    const db = req.headers['x-odoo-database'];
    if (db !== undefined && db !== this.database) return this.send(res, 404, errorBody('werkzeug.exceptions.NotFound', `database "${String(db)}" not found`));
    const { ids, ...kwargs } = body;
    try {
      const result = this.execute(model, method, (ids as number[] | undefined) ?? [], kwargs);
      if (method === 'create' && this.dropReplyOfCreate(res)) return;
      this.send(res, 200, result);
    } catch (err) {
      const e = err as FakeError;
      this.send(res, e.status ?? 500, errorBody(e.odooName ?? 'builtins.Exception', e.message));
    }
  }

  private jsonRpc(res: http.ServerResponse, body: { id?: unknown; params?: { service?: string; method?: string; args?: unknown[] } }): void {
    const { service, method, args = [] } = body.params ?? {};
    const reply = (result: unknown) => this.send(res, 200, { jsonrpc: '2.0', id: body.id ?? null, result });
    const fail = (name: string, message: string) => this.send(res, 200, { jsonrpc: '2.0', id: body.id ?? null, error: { code: 200, message: 'Odoo Server Error', data: { name, debug: '', message, arguments: [message], context: {} } } });
    if (service === 'common' && method === 'version') return reply({ server_version: '18.0', server_version_info: [18, 0, 0, 'final', 0, ''], server_serie: '18.0', protocol_version: 1 });
    if (service === 'common' && method === 'login') return reply(args[0] === this.database && args[1] === this.login && args[2] === this.apiKey ? 2 : false);
    if (service !== 'object' || method !== 'execute_kw') return fail('builtins.NameError', `service ${String(service)}.${String(method)} unknown`);
    const [db, uid, password, model, modelMethod, positional = [], kwargs = {}] = args as [string, number, string, string, string, unknown[], Record<string, unknown>];
    if (db !== this.database || uid !== 2 || password !== this.apiKey) return fail('odoo.exceptions.AccessDenied', 'Access Denied');
    try {
      // Positional: `read(ids, fields)`, `write(ids, vals)`, `search_read(domain, …)`.
      const idsFirst = ['read', 'write', 'unlink'].includes(modelMethod);
      const ids = idsFirst ? (positional[0] as number[]) : [];
      const rest = idsFirst ? positional.slice(1) : positional;
      const named = { ...kwargs };
      if (rest[0] !== undefined) named[modelMethod === 'write' ? 'vals' : modelMethod === 'read' ? 'fields' : modelMethod === 'create' ? 'vals_list' : 'domain'] = rest[0];
      const result = this.execute(model, modelMethod, ids, named);
      if (modelMethod === 'create' && this.dropReplyOfCreate(res)) return;
      reply(result);
    } catch (err) {
      const e = err as FakeError;
      fail(e.odooName ?? 'builtins.Exception', e.message);
    }
  }

  private execute(model: string, method: string, ids: number[], kwargs: Record<string, unknown>): unknown {
    if (!KNOWN_FIELDS[model]) throw fakeError(404, 'werkzeug.exceptions.NotFound', `the model "${model}" does not exist`);
    const context = (kwargs.context ?? {}) as Record<string, unknown>;
    const activeTest = context.active_test !== false;
    const all = [...this.table(model).values()].filter((r) => !activeTest || r.active);
    switch (method) {
      case 'search_count':
        return all.filter((r) => matches(r, (kwargs.domain ?? []) as DomainItem[])).length;
      case 'search_read': {
        const found = sortRecords(all.filter((r) => matches(r, (kwargs.domain ?? []) as DomainItem[])), String(kwargs.order ?? 'id asc'));
        const offset = Number(kwargs.offset ?? 0);
        const limit = kwargs.limit === undefined || kwargs.limit === null ? found.length : Number(kwargs.limit);
        return found.slice(offset, offset + limit).map((r) => this.project(model, r, kwargs.fields as string[] | undefined));
      }
      case 'read': {
        const missing = ids.filter((id) => !this.table(model).has(id));
        if (missing.length) throw fakeError(404, 'odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${missing.join(', ')},), User: 2)`);
        return ids.map((id) => this.project(model, this.table(model).get(id)!, kwargs.fields as string[] | undefined));
      }
      case 'create': {
        const list = (Array.isArray(kwargs.vals_list) ? kwargs.vals_list : [kwargs.vals_list]) as Record<string, unknown>[];
        for (const vals of list) this.checkWrite(model, vals);
        return list.map((v) => this.create(model, v));
      }
      case 'write': {
        const vals = kwargs.vals as Record<string, unknown>;
        this.checkWrite(model, vals);
        const missing = ids.filter((id) => !this.table(model).has(id));
        if (missing.length) throw fakeError(404, 'odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}(${missing.join(', ')},), User: 2)`);
        for (const id of ids) this.write(model, id, vals);
        return true;
      }
      default:
        throw fakeError(404, 'werkzeug.exceptions.NotFound', `the method "${method}" does not exist on "${model}"`);
    }
  }

  /** `vals` of a create or write: known fields only (Odoo's ValueError), and a rejection a test asked for (a ValidationError). */
  private checkWrite(model: string, vals: Record<string, unknown>): void {
    if (typeof vals !== 'object' || vals === null) throw fakeError(422, 'builtins.TypeError', 'vals must be a dict');
    for (const name of Object.keys(vals)) if (!KNOWN_FIELDS[model]!.has(name) || name === 'id' || name === 'write_date') throw fakeError(422, 'builtins.ValueError', `Invalid field '${name}' on model '${model}'`);
    const rejection = this.nextWriteRejection();
    if (rejection) throw fakeError(422, 'odoo.exceptions.ValidationError', rejection);
  }

  /** The requested fields; an unknown one is Odoo's ValueError ("Invalid field"), a many2one is `[id, name]`. */
  private project(model: string, record: OdooFakeRecord, fields: string[] | undefined): Record<string, unknown> {
    const names = fields && fields.length ? ['id', ...fields] : Object.keys(record);
    const out: Record<string, unknown> = {};
    for (const name of names) {
      if (!KNOWN_FIELDS[model]!.has(name)) throw fakeError(422, 'builtins.ValueError', `Invalid field '${name}' on model '${model}'`);
      const value = record[name];
      if (name.endsWith('_id') && typeof value === 'number') {
        const target = this.table(M2O_TARGET[name] ?? model).get(value);
        out[name] = [value, String(target?.name ?? '')];
      } else {
        out[name] = value === undefined || value === null ? false : value;
      }
    }
    return out;
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}

const KNOWN_FIELDS: Record<string, Set<string>> = {
  'res.partner': new Set(['id', 'name', 'is_company', 'company_type', 'parent_id', 'type', 'email', 'phone', 'street', 'street2', 'city', 'zip', 'state_id', 'country_id', 'country_code', 'vat', 'ref', 'active', 'write_date', 'create_date']),
  'sale.order': new Set(['id', 'name', 'partner_id', 'state', 'currency_id', 'amount_total', 'date_order', 'order_line', 'write_date']),
  'sale.order.line': new Set(['id', 'order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'sequence', 'write_date']),
  'res.currency': new Set(['id', 'name']),
  'product.product': new Set(['id', 'name', 'default_code']),
  'account.move': new Set(['id', 'name', 'partner_id', 'move_type', 'state', 'payment_state', 'currency_id', 'amount_total', 'invoice_date', 'invoice_date_due', 'invoice_origin', 'write_date']),
};
const M2O_TARGET: Record<string, string> = { parent_id: 'res.partner', partner_id: 'res.partner', currency_id: 'res.currency', order_id: 'sale.order', product_id: 'product.product' };

interface FakeError extends Error {
  status?: number;
  odooName?: string;
}

function fakeError(status: number, odooName: string, message: string): FakeError {
  return Object.assign(new Error(message), { status, odooName });
}

function errorBody(name: string, message: string, extra: unknown[] = []): Record<string, unknown> {
  return { name, message, arguments: [message, ...extra], context: {}, debug: `Traceback (most recent call last):\n  (fake)\n${name}: ${message}\n` };
}

/** Evaluates an Odoo domain (prefix notation; consecutive terms are AND-ed). */
function matches(record: Record<string, unknown>, domain: DomainItem[]): boolean {
  let i = 0;
  const next = (): boolean => {
    const item = domain[i++];
    // Both operands are always consumed: a short-circuit would leave the second in the stream.
    if (item === '&' || item === '|') {
      const a = next();
      const b = next();
      return item === '&' ? a && b : a || b;
    }
    if (item === '!') return !next();
    if (!Array.isArray(item)) throw fakeError(422, 'builtins.ValueError', `Invalid leaf ${JSON.stringify(item)}`);
    return leaf(record, item);
  };
  let result = true;
  while (i < domain.length) {
    const term = next();
    result = result && term;
  }
  return result;
}

function leaf(record: Record<string, unknown>, [field, op, value]: Leaf): boolean {
  const raw = record[field];
  const actual = raw === undefined || raw === null ? false : raw;
  switch (op) {
    case '=': return actual === value;
    case '!=': return actual !== value;
    case '>': return (actual as number | string) > (value as number | string);
    case '>=': return (actual as number | string) >= (value as number | string);
    case '<': return (actual as number | string) < (value as number | string);
    case '<=': return (actual as number | string) <= (value as number | string);
    case 'in': return (value as unknown[]).includes(actual);
    case 'not in': return !(value as unknown[]).includes(actual);
    case 'ilike': return String(actual).toLowerCase().includes(String(value).replace(/%/g, '').toLowerCase());
    default: throw fakeError(422, 'builtins.ValueError', `Invalid operator ${op}`);
  }
}

function sortRecords(records: OdooFakeRecord[], order: string): OdooFakeRecord[] {
  const keys = order.split(',').map((part) => {
    const [field = 'id', dir = 'asc'] = part.trim().split(/\s+/);
    return { field, desc: dir.toLowerCase() === 'desc' };
  });
  return [...records].sort((a, b) => {
    for (const { field, desc } of keys) {
      const x = a[field] as number | string;
      const y = b[field] as number | string;
      if (x < y) return desc ? 1 : -1;
      if (x > y) return desc ? -1 : 1;
    }
    return 0;
  });
}
