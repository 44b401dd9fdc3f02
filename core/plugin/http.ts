/**
 * What a plugin's routes use from the HTTP layer: the caller of a request, the language
 * to answer in, and the problem+json schema every route declares for its errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from './actor.js';
import { coreError } from './errors.js';
import { languageFrom, type Language } from './language.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, on tenant routes (set by core's authentication hook). */
    actor?: Actor;
    /** The tenant's default locale once the caller is known. */
    tenantLocale?: Language;
  }
}

/** The actor of a tenant route (set by the auth hook); 401 when there is none. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw coreError('UNAUTHENTICATED');
  return request.actor;
}

/**
 * JSON Schema of a problem body, used inline by every route's error responses. Inline,
 * not a shared `$id`, so it can never clash with a schema of the host app Peyvand is
 * mounted into.
 */
export const problemSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
} as const;

/** The language of a request: Accept-Language, else the tenant's, else English. */
export function requestLanguage(request: FastifyRequest): Language {
  return languageFrom(request.headers['accept-language'], request.tenantLocale ?? 'en');
}

/** Parses `If-Match: "3"` (or `W/"3"`); `*` and absence mean no precondition; anything else is 412. */
export function expectedVersion(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw coreError('PRECONDITION_FAILED', { current: 'unknown' });
  return Number(match[1]);
}

/** Sends a versioned record with its version as the ETag. */
export function withEtag<T extends { version: number }>(reply: FastifyReply, record: T, status = 200): FastifyReply {
  return reply.code(status).header('etag', `"${record.version}"`).send(record);
}

/** Drops undefined values, so optional query parameters stay absent. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
