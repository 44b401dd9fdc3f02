/**
 * Calls Frappe's REST API (v1, which ERPNext 13–15 serve at `/api/…`):
 *
 * - `GET /api/resource/<DocType>?fields=[…]&filters=[[field, op, value], …]&order_by=…&limit_start=…&limit_page_length=…`
 *   → `{data: [{…}, …]}` (a page of rows, only the fields asked for);
 * - `GET /api/resource/<DocType>/<name>` → `{data: {…}}` (the whole document, child tables included);
 * - `GET /api/method/<dotted.path>` → `{message: …}`.
 *
 * Every request carries `Authorization: token <api key>:<api secret>`. A failure is an HTTP
 * status (401 AuthenticationError, 403 PermissionError, 404 DoesNotExistError, 417
 * ValidationError, 5xx) with a body holding `exc_type` and, where Frappe had something to
 * say, `_server_messages` (a JSON string of a list of JSON strings `{message, title…}`) or
 * `exception`; these become one {@link ErpRunError} with Frappe's own sentence.
 *
 * @module
 */
import { ErpRunError, type AdapterRuntime } from '../../core/plugin/index.js';

/** Connection settings of the erpnext adapter (`config` of the connection). */
export interface ErpNextConfig {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** The Customer field holding the CRM's id of a customer it created (default `customer_pos_id`). */
  keyField?: string;
}

/** A Frappe list filter: `[field, operator, value]`. */
export type FrappeFilter = [string, '=' | '!=' | '>' | '>=' | '<' | '<=' | 'in' | 'like', unknown];

/** A list query. */
export interface ListQuery {
  fields: string[];
  filters: FrappeFilter[];
  orderBy: string;
  limit: number;
  start?: number;
}

/** What Frappe answers when a request fails. */
interface FrappeErrorBody {
  exc_type?: string;
  exception?: string;
  _server_messages?: string;
  message?: unknown;
}

/** Frappe exception class → run error code; others map by HTTP status. */
const BY_EXC_TYPE: Record<string, string> = {
  AuthenticationError: 'ERP_AUTH_FAILED',
  InvalidAuthorizationToken: 'ERP_AUTH_FAILED',
  SessionExpired: 'ERP_AUTH_FAILED',
  PermissionError: 'ERP_ACCESS_DENIED',
  DoesNotExistError: 'ERP_NOT_FOUND',
  ValidationError: 'ERP_REQUEST_REJECTED',
  DataError: 'ERP_REQUEST_REJECTED',
};

/** Frappe's own sentence: the first server message (HTML stripped), else the exception line. */
function frappeMessage(body: FrappeErrorBody): string {
  try {
    const list = JSON.parse(body._server_messages ?? '[]') as unknown[];
    for (const item of list) {
      const parsed = typeof item === 'string' ? (JSON.parse(item) as { message?: unknown }) : (item as { message?: unknown });
      if (typeof parsed?.message === 'string' && parsed.message.trim()) return parsed.message.replace(/<[^>]*>/g, '').trim();
    }
  } catch {
    // Not the documented shape: fall back to `exception`.
  }
  return typeof body.exception === 'string' ? body.exception.split('\n')[0]!.trim() : '';
}

function frappeError(status: number, raw: unknown, where: string): ErpRunError {
  const body: FrappeErrorBody = typeof raw === 'object' && raw !== null ? (raw as FrappeErrorBody) : { exception: typeof raw === 'string' ? raw.slice(0, 200) : '' };
  const type = typeof body.exc_type === 'string' ? body.exc_type : '';
  const code = BY_EXC_TYPE[type] ?? (status === 401 ? 'ERP_AUTH_FAILED' : status === 403 ? 'ERP_ACCESS_DENIED' : status === 404 ? 'ERP_NOT_FOUND' : status >= 500 ? 'ERP_SERVER_ERROR' : 'ERP_REQUEST_REJECTED');
  const message = frappeMessage(body).slice(0, 500);
  const what = code === 'ERP_AUTH_FAILED' ? 'ERPNext refused the credentials (API key and secret)' : `ERPNext answered ${status} to ${where}`;
  return new ErpRunError(code, `${what}: ${type || `HTTP ${status}`}${message ? `: ${message}` : ''}`, code === 'ERP_SERVER_ERROR');
}

/** A client of one ERPNext site. */
export class ErpNextClient {
  private readonly base: string;

  constructor(private readonly config: ErpNextConfig, private readonly runtime: AdapterRuntime) {
    this.base = config.url.replace(/\/+$/, '');
  }

  private async get(path: string, where: string): Promise<unknown> {
    return this.request('GET', path, where);
  }

  private async request(method: 'GET' | 'POST' | 'PUT', path: string, where: string, json?: Record<string, unknown>, retry = true): Promise<unknown> {
    const response = await this.runtime.http({ method, url: `${this.base}${path}`, headers: { authorization: `token ${this.config.apiKey}:${this.config.apiSecret}` }, ...(json && { json }), ...(!retry && { retry }) });
    if (response.status !== 200) throw frappeError(response.status, response.body, where);
    return response.body;
  }

  /**
   * Inserts a document (`POST /api/resource/<DocType>`, `name` absent: the DocType's naming
   * rule names it) or saves fields of one (`PUT /api/resource/<DocType>/<name>`); answers
   * the saved document. An insert is sent once (`retry: false`): repeating one whose reply
   * was lost would insert a second document, so the caller decides.
   */
  async save<T>(doctype: string, name: string | null, values: Record<string, unknown>): Promise<T> {
    const path = `/api/resource/${encodeURIComponent(doctype)}${name === null ? '' : `/${encodeURIComponent(name)}`}`;
    const body = (await this.request(name === null ? 'POST' : 'PUT', path, `${name === null ? 'a new' : 'saving'} ${doctype}${name === null ? '' : ` ${name}`}`, values, name !== null)) as { data?: unknown } | null;
    if (!body || typeof body.data !== 'object' || body.data === null) throw new ErpRunError('ERP_BAD_RESPONSE', `ERPNext answered the save of ${doctype} without a data object`);
    return body.data as T;
  }

  /** A page of rows of a DocType. */
  async list<T>(doctype: string, query: ListQuery): Promise<T[]> {
    const params = new URLSearchParams({
      fields: JSON.stringify(query.fields),
      filters: JSON.stringify(query.filters),
      order_by: query.orderBy,
      limit_start: String(query.start ?? 0),
      limit_page_length: String(query.limit),
    });
    const body = (await this.get(`/api/resource/${encodeURIComponent(doctype)}?${params.toString()}`, `the list of ${doctype}`)) as { data?: unknown } | null;
    if (!body || !Array.isArray(body.data)) throw new ErpRunError('ERP_BAD_RESPONSE', `ERPNext answered the list of ${doctype} without a data array`);
    return body.data as T[];
  }

  /** One document with its child tables; undefined when ERPNext says it does not exist. */
  async doc<T>(doctype: string, name: string): Promise<T | undefined> {
    try {
      const body = (await this.get(`/api/resource/${encodeURIComponent(doctype)}/${encodeURIComponent(name)}`, `${doctype} ${name}`)) as { data?: unknown } | null;
      if (!body || typeof body.data !== 'object' || body.data === null) throw new ErpRunError('ERP_BAD_RESPONSE', `ERPNext answered ${doctype} ${name} without a data object`);
      return body.data as T;
    } catch (err) {
      if (err instanceof ErpRunError && err.code === 'ERP_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** A whitelisted method's `message`. */
  async method<T>(dotted: string): Promise<T> {
    const body = (await this.get(`/api/method/${dotted}`, dotted)) as { message?: unknown } | null;
    return (body?.message ?? null) as T;
  }
}
