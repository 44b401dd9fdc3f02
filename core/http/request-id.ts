/**
 * Request ids: the caller's own `X-Request-Id` when it is safe to echo and log (an ERP
 * passes its own to follow a call through both systems), else `<process prefix>-<counter>`.
 *
 * The prefix is 64 random bits drawn once per process, so ids stay unique across nodes and
 * restarts without drawing a random UUID per request (a CSPRNG call and its formatting were
 * measurable on the read path, docs/performance.md). A request id is a correlation handle,
 * never a secret: nothing authorizes on it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What a caller's request id may look like to be kept (the audit column holds 64). */
export const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A generator of request ids for fastify's `genReqId`, with its own random prefix. */
export function requestIds(): (req: IncomingMessage) => string {
  const prefix = `${randomBytes(8).toString('hex')}-`;
  let next = 0;
  return (req) => {
    const given = req.headers['x-request-id'];
    if (typeof given === 'string' && REQUEST_ID.test(given)) return given;
    return prefix + (next++).toString(36);
  };
}
