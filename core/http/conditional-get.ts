/**
 * Conditional GET (RFC 9110 §13.1.2): a read whose `If-None-Match` names the ETag the
 * response carries answers 304 with no body, for every route that sets an ETag — one
 * rule for core and plugins, not a check in each handler.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** True when an `If-None-Match` value matches the entity tag (weak comparison, `*`, lists). */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const current = opaque(etag);
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === current);
}

/** For onSend: turns a 200 GET/HEAD whose ETag the client already holds into a 304 (the payload to send). */
export function notModified(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return payload;
  const ifNoneMatch = request.headers['if-none-match'];
  const etag = reply.getHeader('etag');
  if (typeof ifNoneMatch !== 'string' || typeof etag !== 'string' || !etagMatches(ifNoneMatch, etag)) return payload;
  reply.code(304).removeHeader('content-type').removeHeader('content-length');
  return null;
}
