/**
 * Security headers (helmet) on every response of Peyvand's scope. helmet's answer depends
 * only on its options (no nonce, nothing from the request), so the middleware runs once at
 * boot against a recording response and each request gets the recorded headers through
 * fastify's own header map. @fastify/helmet builds the middleware again for every request
 * (options merged, CSP directives parsed and validated; about 15% of the CPU of a
 * `GET /customers/{id}` in bench/profile.ts), and even one prebuilt middleware validates
 * and sets a dozen headers on the raw response per request, which fastify then validates
 * again when it writes the head. Same library, same options, same onRequest timing (error
 * answers carry them too), so the same headers: the authentication hook (request-guards.ts)
 * sets them first thing.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

// helmet exactly as @fastify/helmet resolves it: its own dependency, not a second copy.
const fromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
const helmet = fromPlugin('helmet') as (options: Record<string, unknown>) => Middleware;

/** The headers helmet sets with Peyvand's options (lower-case names). */
export function helmetHeaders(): Record<string, string> {
  const apply = helmet({ contentSecurityPolicy: { useDefaults: true }, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  apply({ headers: {}, method: 'GET', url: '/' } as unknown as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    failure = err;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return Object.freeze(headers) as Record<string, string>;
}
