/**
 * One webhook POST, with `node:http`/`node:https` rather than `fetch`: a per-request
 * `lookup` pins the connection to the address the SSRF guard checked (no second DNS
 * answer), redirects are never followed (http.request has no redirect logic at all), and
 * both the connection and the whole exchange have their own time limit. The response
 * body is not needed: at most a short excerpt of a failure's body is kept for the log.
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { CheckedTarget } from './address-guard.js';

/** Time limits of one attempt. */
export interface PostLimits {
  /** Until the TCP connection is open. */
  connectTimeoutMs: number;
  /** From the start until the response status has arrived. */
  timeoutMs: number;
}

/** What one attempt produced. */
export interface PostOutcome {
  /** A 2xx status arrived. */
  ok: boolean;
  /** The response status, `null` when none arrived. */
  statusCode: number | null;
  latencyMs: number;
  /** Why it failed (English, for the delivery log); `null` on success. */
  error: string | null;
}

/** Bytes of a failed response's body kept for the log. */
const EXCERPT_BYTES = 256;

/** A `lookup` that answers with the checked address whatever name is asked. */
export function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    // Node ≥ 20 asks for all addresses (happy eyeballs); older callers ask for one.
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

export function describeNetworkError(err: NodeJS.ErrnoException): string {
  const known: Record<string, string> = { ECONNREFUSED: 'connection refused', ECONNRESET: 'connection reset', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', EPIPE: 'connection closed while sending' };
  const text = (err.code && known[err.code]) ?? `${err.code ?? err.name}: ${err.message}`;
  return text.slice(0, 500);
}

function excerpt(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8').replace(/\p{Cc}+/gu, ' ').trim();
  return text ? `: ${text}` : '';
}

/** POSTs `body` to the checked target; never throws, every failure is an outcome. */
export function postWebhook(target: CheckedTarget, body: Buffer, headers: Record<string, string>, limits: PostLimits): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    const { url } = target;
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request({
      method: 'POST',
      hostname: target.host,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, host: url.host, 'content-length': String(body.length) },
      // A fresh connection per attempt: a pooled socket could belong to an address
      // checked for another URL.
      agent: false,
      lookup: pinnedLookup(target),
      ...(secure && !isIP(target.host) && { servername: target.host }),
    });
    const finish = (statusCode: number | null, error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      request.destroy();
      resolve({ ok: error === null, statusCode, latencyMs: Math.round(performance.now() - started), error });
    };
    const totalTimer = setTimeout(() => finish(null, `timed out after ${limits.timeoutMs} ms`), limits.timeoutMs);
    request.on('socket', (socket) => {
      connectTimer = setTimeout(() => finish(null, `connect timed out after ${limits.connectTimeoutMs} ms`), limits.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.on('error', (err) => finish(null, describeNetworkError(err)));
    request.on('response', (response) => {
      response.on('error', () => undefined);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return finish(status, null);
      if (status >= 300 && status < 400) {
        // A redirect would send the signed body to a URL nobody checked.
        const location = String(response.headers.location ?? '').slice(0, 200);
        return finish(status, `redirect (${status}${location ? ` to ${location}` : ''}) not followed`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= EXCERPT_BYTES) finish(status, `HTTP ${status}${excerpt(chunks)}`);
      });
      response.on('end', () => finish(status, `HTTP ${status}${excerpt(chunks)}`));
    });
    request.end(body);
  });
}
