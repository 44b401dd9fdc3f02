/**
 * Calls Peyvand's HTTP API from the browser: JSON in and out, `Accept-Language` in the
 * widget's locale (so API messages come back translated), the host's token as a bearer
 * credential. On a 401 the host is asked for a new token once and the call is repeated.
 * The token goes only into the Authorization header: never into a URL, the DOM or a log.
 */
import type { Locale, TokenProvider } from './config.js';

/** A field problem from a problem+json body (`path` is a JSON pointer such as `/email`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A refused or failed call. `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Peyvand's stable code (`PLUGIN_NOT_ENABLED`, `FORBIDDEN`, …), or `NETWORK`, `NO_TOKEN`. */
    readonly code: string,
    /** Localized explanation from the API (or empty when there was no answer). */
    readonly detail: string,
    readonly fieldErrors: FieldProblem[] = [],
  ) {
    super(`${status} ${code}`);
    this.name = 'ApiError';
  }
}

/** Where and as whom a call is made. */
export interface ApiTarget {
  /** Peyvand's base URL, ending in `/`. */
  apiBase: string;
  locale: Locale;
  /** Resolves the host's token callback; absent for public calls. */
  tokenProvider?: () => Promise<TokenProvider>;
}

/** One call. `path` is below `/api/v1/`, e.g. `customers/123`. */
export interface ApiCall {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /** `blob`: the answer's bytes (a download, such as an email attachment) instead of JSON. */
  as?: 'json' | 'blob';
}

/**
 * Tokens per host callback, shared by every widget on the page: concurrent calls wait for
 * the same `getToken()`, and a 401 seen by several widgets at once fetches one new token.
 */
class TokenCache {
  private readonly pending = new WeakMap<TokenProvider, Promise<string>>();

  get(provider: TokenProvider): Promise<string> {
    return this.pending.get(provider) ?? this.fetch(provider);
  }

  /** A token other than `rejected`: the one another widget already fetched, or a new one. */
  async refresh(provider: TokenProvider, rejected: string): Promise<string> {
    const current = this.pending.get(provider);
    if (current) {
      const value = await current.catch(() => undefined);
      if (value !== undefined && value !== rejected) return value;
      if (this.pending.get(provider) !== current) return this.get(provider);
    }
    return this.fetch(provider);
  }

  private fetch(provider: TokenProvider): Promise<string> {
    const promise = Promise.resolve()
      .then(() => provider())
      .then((token) => {
        if (typeof token !== 'string' || token.trim() === '') throw new ApiError(401, 'NO_TOKEN', '');
        return token.trim();
      });
    this.pending.set(provider, promise);
    // A failed callback is not remembered: the next call asks the host again.
    promise.catch(() => {
      if (this.pending.get(provider) === promise) this.pending.delete(provider);
    });
    return promise;
  }
}

const tokens = new TokenCache();

/** Makes a call; resolves to the JSON body (undefined for 202/204 without one), or a `Blob` when `call.as` is `blob`. */
export async function apiCall<T>(target: ApiTarget, path: string, call: ApiCall = {}): Promise<T> {
  const url = new URL(`api/v1/${path}`, target.apiBase);
  for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  const provider = target.tokenProvider ? await target.tokenProvider() : undefined;
  let token = provider ? await hostToken(tokens.get(provider)) : undefined;
  let response = await send(url, call, target.locale, token);
  if (response.status === 401 && provider && token) {
    token = await hostToken(tokens.refresh(provider, token));
    response = await send(url, call, target.locale, token);
  }
  if (!response.ok) throw await problemOf(response);
  if (call.as === 'blob') return (await response.blob()) as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The host's callback failed or returned nothing: the widget shows the signed-out state. */
async function hostToken(token: Promise<string>): Promise<string> {
  try {
    return await token;
  } catch (err) {
    throw err instanceof ApiError ? err : new ApiError(401, 'NO_TOKEN', '');
  }
}

async function send(url: URL, call: ApiCall, locale: Locale, token: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: call.as === 'blob' ? '*/*' : 'application/json', 'accept-language': locale };
  if (token) headers.authorization = `Bearer ${token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(url, {
      method: call.method ?? 'GET',
      headers,
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      ...(call.signal && { signal: call.signal }),
      // The bearer token is the credential; the host's cookies are none of Peyvand's business.
      credentials: 'omit',
      mode: 'cors',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', '');
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not problem+json (a proxy's error page): the status says enough.
  }
  const fieldErrors = Array.isArray(body.errors)
    ? body.errors.filter((e): e is FieldProblem => typeof e?.path === 'string' && typeof e?.message === 'string')
    : [];
  const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : '';
  return new ApiError(response.status, typeof body.code === 'string' ? body.code : `HTTP_${response.status}`, detail, fieldErrors);
}

/** True for the rejection of a call that a newer one replaced. */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
