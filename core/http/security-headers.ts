/**
 * Security headers (helmet) on every response of Peyvand's scope, from one helmet
 * middleware built at boot. @fastify/helmet 13 builds the middleware again for every
 * request — options merged, CSP directives parsed and validated — which was about 15% of
 * the CPU of a `GET /customers/{id}` (bench/profile.ts). Same library, same options,
 * same onRequest timing, so the same headers.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

// helmet exactly as @fastify/helmet resolves it: its own dependency, not a second copy.
const fromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
const helmet = fromPlugin('helmet') as (options: Record<string, unknown>) => Middleware;

/** Adds the security headers to every response of `scope` (encapsulated: a host's routes keep theirs). */
export function securityHeaders(scope: FastifyInstance): void {
  const apply = helmet({ contentSecurityPolicy: { useDefaults: true }, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  scope.addHook('onRequest', (request, reply, done) => apply(request.raw, reply.raw, (err) => done(err as Error | undefined)));
}
