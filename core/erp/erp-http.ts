/**
 * HTTP to an ERP: every request goes through the webhook address guard
 * (`PEYVAND_WEBHOOK_ALLOWLIST` for private hosts and plain http), connects to the address
 * that was checked, never follows redirects, has time and size limits, and retries 429,
 * 5xx and network failures with exponential backoff (honouring `Retry-After`).
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkTarget, describeRefusal, type CheckedTarget } from '../webhooks/address-guard.js';
import { describeNetworkError, pinnedLookup } from '../webhooks/webhook-http.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import { ErpRunError, type ErpHttpRequest, type ErpHttpResponse } from '../plugin/erp.js';
import { backoffDelay } from '../plugin/backoff.js';

/** Limits and retry policy of ERP requests. */
export interface ErpHttpOptions {
  /** Attempts per request, the first included (default 4). */
  attempts?: number;
  /** Delay before the second attempt; doubles each time (default 250 ms). */
  backoffBaseMs?: number;
  /** Whole exchange (default 30 s). */
  timeoutMs?: number;
  /** Largest response body (default 32 MiB). */
  maxBodyBytes?: number;
}

/** A request function bound to the guard settings. */
export function erpHttp(guard: Pick<WebhookSettings, 'allowlist' | 'resolve'>, options: ErpHttpOptions = {}) {
  const attempts = options.attempts ?? 4;
  const base = options.backoffBaseMs ?? 250;
  return async (request: ErpHttpRequest): Promise<ErpHttpResponse> => {
    const checked = await checkTarget(request.url, guard.allowlist, guard.resolve);
    if (!checked.ok) throw new ErpRunError('ERP_ADDRESS_REFUSED', describeRefusal(checked.refusal));
    // A request that is not safe to repeat is sent once: the adapter decides what a failure means.
    const tries = request.retry === false ? 1 : attempts;
    for (let attempt = 1; ; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const response = await send(checked.target, request, options);
        const transient = response.status === 429 || response.status >= 500;
        if (!transient || attempt >= tries) return { status: response.status, body: response.body };
        retryAfterMs = response.retryAfterMs;
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        if (attempt >= tries) throw new ErpRunError('ERP_UNREACHABLE', `${checked.target.host}: ${err.message}`, true);
      }
      // The server's Retry-After wins over the backoff; either is capped at 30 s.
      const delay = Math.min(retryAfterMs ?? backoffDelay(attempt, { baseMs: base, jitter: 0.2 }), 30_000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
}

class NetworkError extends Error {}

interface RawResponse {
  status: number;
  body: unknown;
  retryAfterMs?: number;
}

function send(target: CheckedTarget, request: ErpHttpRequest, options: ErpHttpOptions): Promise<RawResponse> {
  const body = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json), 'utf8');
  const maxBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const { url } = target;
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request({
      method: request.method,
      hostname: target.host,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      headers: {
        accept: 'application/json',
        'user-agent': 'Peyvand-ERP-Sync',
        ...request.headers,
        host: url.host,
        ...(body && { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) }),
      },
      agent: false,
      lookup: pinnedLookup(target),
      ...(secure && !isIP(target.host) && { servername: target.host }),
    });
    const timer = setTimeout(() => req.destroy(new NetworkError(`timed out after ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof NetworkError ? err : new NetworkError(describeNetworkError(err)));
    });
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) req.destroy(new NetworkError(`response larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          // Not JSON (an HTML error page of a proxy): the adapter reports the status and the text.
        }
        const retryAfter = Number(response.headers['retry-after']);
        resolve({ status: response.statusCode ?? 0, body: parsed, ...(Number.isFinite(retryAfter) && { retryAfterMs: retryAfter * 1000 }) });
      });
    });
    req.end(body);
  });
}

/** Checks a database host against the same guard (the sql adapter connects with its own driver). */
export async function checkDatabaseHost(guard: Pick<WebhookSettings, 'allowlist' | 'resolve'>, host: string, port: number): Promise<void> {
  // https: only the address ranges matter here; a database protocol is not "plain http".
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  const checked = await checkTarget(`https://${bracketed}:${port}/`, guard.allowlist, guard.resolve);
  if (!checked.ok) throw new ErpRunError('ERP_ADDRESS_REFUSED', describeRefusal(checked.refusal));
}
