/**
 * Answers requests Node's HTTP parser refuses before fastify sees them — a raw (not
 * percent-encoded) non-ASCII character in the request line, a malformed header, headers
 * too large, a request that took too long — with problem+json like every other error,
 * instead of fastify's default `{"error":"Bad Request","message":"Client Error"}`.
 *
 * No request object exists at this point: the language is read from the raw bytes the
 * parser received (`err.rawPacket`), when the Accept-Language header is among them.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { coreError, type PeyvandError } from '../plugin/errors.js';
import { problemBody } from './problem.js';

/** Node's `clientError`: its `rawPacket` is the Buffer the parser had received. */
interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

/** The `clientErrorHandler` of Peyvand's own server. */
export function clientErrorHandler(i18nInstance: i18n, log: Pick<Logger, 'debug'>) {
  return (err: ClientError, socket: Socket): void => {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.toString('latin1') : '';
    const error = clientProblem(err, raw);
    const requestId = randomUUID();
    log.debug({ code: err.code, requestId }, 'client error');
    if (socket.writable) {
      const request = { url: requestTarget(raw), id: requestId, headers: { 'accept-language': headerOf(raw, 'accept-language') } } as unknown as FastifyRequest;
      const body = Buffer.from(JSON.stringify(problemBody(error, request, i18nInstance)), 'utf8');
      socket.write(
        `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
          `Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
          `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body);
    }
    socket.destroy(err);
  };
}

/** Maps Node's parser error to a catalogued error; exported for tests. */
export function clientProblem(err: ClientError, raw: string): PeyvandError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return coreError('REQUEST_TIMEOUT');
  if (err.code === 'HPE_HEADER_OVERFLOW') return coreError('HEADERS_TOO_LARGE');
  const requestLine = raw.split('\r\n', 1)[0] ?? '';
  // Bytes ≥ 0x80 in the request line: a URL typed with its Persian letters as they are
  // (`?q=علی`). HTTP allows only ASCII there; the fix is to percent-encode them.
  if (/[\x80-\xff]/.test(requestLine)) return coreError('NON_ASCII_URL');
  return coreError('MALFORMED_REQUEST');
}

function requestTarget(raw: string): string {
  const target = (raw.split('\r\n', 1)[0] ?? '').split(' ')[1] ?? '';
  // Read back as UTF-8 for the `instance` field; invalid bytes become U+FFFD.
  return Buffer.from(target, 'latin1').toString('utf8').slice(0, 2000);
}

function headerOf(raw: string, name: string): string | undefined {
  for (const line of raw.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}
