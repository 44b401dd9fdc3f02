/**
 * Calls Odoo's external API in either protocol:
 *
 * - **JSON-2** (Odoo 19+): `POST /json/2/<model>/<method>` with the method's parameters as
 *   named keys of a JSON body (`ids`, `domain`, `fields`, `context`…), `Authorization:
 *   bearer <api key>`, `X-Odoo-Database`. Success is a 200 whose body is the return value;
 *   an error is a 4xx/5xx whose body is `{name, message, arguments, context, debug}`.
 * - **JSON-RPC** (Odoo ≤ 18): `POST /jsonrpc` `{jsonrpc: "2.0", method: "call", params:
 *   {service: "object", method: "execute_kw", args: [db, uid, password, model, method,
 *   args, kwargs]}}` after `common.login`; errors arrive with HTTP 200 as `{error: {code,
 *   message, data: {name, message, arguments, debug}}}`.
 *
 * Both map Odoo's exception names to one {@link ErpRunError} code, so a run says
 * "Odoo refused the API key" rather than "HTTP 401".
 *
 * @module
 */
import { ErpRunError, type AdapterRuntime } from '../../core/plugin/index.js';

/** Connection settings of the odoo adapter (`config` of the connection). */
export interface OdooConfig {
  url: string;
  database: string;
  apiKey: string;
  protocol?: 'json2' | 'jsonrpc';
  /** The `res.partner` field holding the CRM's id of a partner it created (default `ref`). */
  keyField?: string;
  /** JSON-RPC only: the user's login (the API key serves as the password). */
  login?: string;
}

/** Keyword arguments of a model method. */
export type OdooKwargs = Record<string, unknown>;

/** What Odoo says when a call fails. */
interface OdooErrorBody {
  name?: string;
  message?: string;
}

/** A call to a model method. */
export interface OdooClient {
  /** `retry: false` sends a call that is not safe to repeat (a `create`) once; see `ErpHttpRequest.retry`. */
  call<T>(model: string, method: string, params: CallParams): Promise<T>;
}

/** Arguments of a model method call. */
export interface CallParams {
  ids?: number[];
  args?: unknown[];
  kwargs?: OdooKwargs;
  retry?: boolean;
}

/** Exception names → run error codes; an unknown name maps by HTTP status. */
const BY_NAME: Record<string, string> = {
  'werkzeug.exceptions.Unauthorized': 'ERP_AUTH_FAILED',
  'odoo.exceptions.AccessDenied': 'ERP_AUTH_FAILED',
  'odoo.exceptions.AccessError': 'ERP_ACCESS_DENIED',
  'werkzeug.exceptions.Forbidden': 'ERP_ACCESS_DENIED',
  'odoo.exceptions.MissingError': 'ERP_RECORD_MISSING',
  'werkzeug.exceptions.NotFound': 'ERP_NOT_FOUND',
  'odoo.exceptions.UserError': 'ERP_REQUEST_REJECTED',
  'odoo.exceptions.ValidationError': 'ERP_REQUEST_REJECTED',
  'werkzeug.exceptions.UnprocessableEntity': 'ERP_REQUEST_REJECTED',
};

function odooError(status: number | null, body: OdooErrorBody | undefined, where: string): ErpRunError {
  const name = body?.name ?? '';
  const message = (body?.message ?? '').split('\n')[0]!.slice(0, 500);
  const code = BY_NAME[name] ?? (status === 401 ? 'ERP_AUTH_FAILED' : status === 403 ? 'ERP_ACCESS_DENIED' : status === 404 ? 'ERP_NOT_FOUND' : status !== null && status >= 500 ? 'ERP_SERVER_ERROR' : 'ERP_REQUEST_REJECTED');
  const what = code === 'ERP_AUTH_FAILED' ? 'Odoo refused the credentials (API key, login or database)' : `Odoo answered ${status ?? ''} to ${where}`.trim();
  return new ErpRunError(code, `${what}: ${name || 'error'}${message ? `: ${message}` : ''}`, code === 'ERP_SERVER_ERROR');
}

const base = (url: string) => url.replace(/\/+$/, '');

/** A JSON-2 client. */
export function json2Client(config: OdooConfig, runtime: AdapterRuntime): OdooClient {
  return {
    async call<T>(model: string, method: string, params: CallParams): Promise<T> {
      const response = await runtime.http({
        ...(params.retry === false && { retry: false }),
        method: 'POST',
        url: `${base(config.url)}/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`,
        headers: { authorization: `bearer ${config.apiKey}`, 'x-odoo-database': config.database },
        json: { ...(params.ids && { ids: params.ids }), ...params.kwargs },
      });
      if (response.status === 200) return response.body as T;
      throw odooError(response.status, typeof response.body === 'object' && response.body !== null ? (response.body as OdooErrorBody) : { message: String(response.body ?? '') }, `${model}.${method}`);
    },
  };
}

/** A legacy JSON-RPC client (logs in once per connector). */
export function jsonRpcClient(config: OdooConfig, runtime: AdapterRuntime): OdooClient {
  let uid: Promise<number> | undefined;
  let nextId = 1;
  const rpc = async <T>(service: string, method: string, args: unknown[], retry = true): Promise<T> => {
    const response = await runtime.http({ method: 'POST', url: `${base(config.url)}/jsonrpc`, json: { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: nextId++ }, ...(!retry && { retry }) });
    const body = response.body as { result?: T; error?: { code?: number; message?: string; data?: OdooErrorBody } } | null;
    if (response.status !== 200 || !body || typeof body !== 'object') throw odooError(response.status, undefined, `${service}.${method}`);
    if (body.error) throw odooError(body.error.data?.name === undefined ? 500 : null, body.error.data ?? { message: body.error.message }, `${service}.${method}`);
    return body.result as T;
  };
  const login = async (): Promise<number> => {
    if (!config.login) throw new ErpRunError('ERP_CONFIG_INVALID', 'JSON-RPC needs the Odoo login of the API user (config.login)');
    const result = await rpc<number | false>('common', 'login', [config.database, config.login, config.apiKey]);
    if (!result) throw new ErpRunError('ERP_AUTH_FAILED', 'Odoo refused the credentials (API key, login or database): common.login returned false');
    return result;
  };
  return {
    async call<T>(model: string, method: string, params: CallParams): Promise<T> {
      uid ??= login();
      const args = params.ids ? [params.ids, ...(params.args ?? [])] : (params.args ?? []);
      return rpc<T>('object', 'execute_kw', [config.database, await uid, config.apiKey, model, method, args, params.kwargs ?? {}], params.retry !== false);
    },
  };
}
