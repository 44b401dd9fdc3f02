/**
 * `Idempotency-Key` on POST: the first response (status and body) is stored per tenant,
 * caller and key; a retry with the same key and body replays it, a retry with another
 * body is a 422, and a retry while the first is still running is a 409. Server errors
 * are not stored, so they can be retried.
 */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { isUniqueViolation, readInt } from '../db/database.js';
import { coreError } from '../plugin/errors.js';

const ABANDONED_AFTER_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { tenantId: string; principal: string; key: string; replay?: boolean };
  }
}

/**
 * The preHandler hook and the onSend step implementing idempotent POST. Both answer in the
 * same turn for every other request (no promise): `onSend` returns undefined then, else
 * the promise of the payload once the response is stored.
 */
export function idempotencyHooks(db: Database) {
  const begin = async (request: FastifyRequest & { actor: NonNullable<FastifyRequest['actor']> }, reply: FastifyReply, header: string): Promise<FastifyReply | undefined> => {
    const key = header.trim();
    if (!key || key.length > 200) throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/headers/idempotency-key', message: 'must be 1 to 200 characters', key: 'core:validation.idempotencyKey' }] });
    const ids = { tenant_id: request.actor.tenantId, principal: request.actor.subject, idem_key: key };
    // A file upload (an import) reaches the handler as a stream, unread: the key and the URL identify it.
    const body = request.body instanceof Readable ? '<stream>' : JSON.stringify(request.body ?? null);
    const hash = createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
    try {
      await db.rows('idempotency_keys').insert({ ...ids, request_hash: hash, status_code: null, response_body: null, content_type: null, created_at: Date.now() });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const row = await db.rows('idempotency_keys').where(ids).first();
      if (!row) throw err;
      if (row.request_hash !== hash) throw coreError('IDEMPOTENCY_KEY_REUSED');
      if (row.status_code === null) {
        if (Date.now() - readInt(row.created_at) < ABANDONED_AFTER_MS) throw coreError('IDEMPOTENCY_IN_PROGRESS');
        await db.rows('idempotency_keys').where(ids).update({ created_at: Date.now() });
      } else {
        request.idempotency = { tenantId: ids.tenant_id, principal: ids.principal, key, replay: true };
        return reply.code(row.status_code).header('idempotency-replayed', 'true').type(String(row.content_type)).send(String(row.response_body));
      }
    }
    request.idempotency = { tenantId: ids.tenant_id, principal: ids.principal, key };
    return undefined;
  };
  const preHandler = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): Promise<FastifyReply | undefined> | undefined => {
    const header = request.headers['idempotency-key'];
    const actor = request.actor;
    if (request.method !== 'POST' || typeof header !== 'string' || !actor) {
      done();
      return undefined;
    }
    return begin(request as FastifyRequest & { actor: typeof actor }, reply, header);
  };
  const store = async (request: FastifyRequest, reply: FastifyReply, payload: unknown, idem: NonNullable<FastifyRequest['idempotency']>): Promise<unknown> => {
    const ids = { tenant_id: idem.tenantId, principal: idem.principal, idem_key: idem.key };
    if (reply.statusCode >= 500) await db.rows('idempotency_keys').where(ids).delete();
    else await db.rows('idempotency_keys').where(ids).update({ status_code: reply.statusCode, response_body: storedBody(request, reply, payload), content_type: String(reply.getHeader('content-type') ?? 'application/json') });
    return payload;
  };
  const onSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> | undefined => {
    const idem = request.idempotency;
    return idem && !idem.replay ? store(request, reply, payload, idem) : undefined;
  };
  return { preHandler, onSend };
}

/**
 * The body kept for replays. A route whose response holds a one-time secret (a webhook
 * secret) sets `config.idempotentReplay`, so the secret is neither stored in plain text
 * nor shown a second time.
 */
function storedBody(request: FastifyRequest, reply: FastifyReply, payload: unknown): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload ?? null);
  const redact = request.routeOptions.config?.idempotentReplay;
  if (!redact || reply.statusCode >= 300) return text;
  return JSON.stringify(redact(JSON.parse(text) as Record<string, unknown>));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What an Idempotency-Key replay returns instead of the first 2xx body (e.g. without a secret). */
    idempotentReplay?: (body: Record<string, unknown>) => Record<string, unknown>;
  }
}
