/** Small HTTP helpers the sales routes share. */
import type { FastifyReply } from 'fastify';
import { coreError } from '../../../core/plugin/index.js';

/** Parses `If-Match: "3"` (or `W/"3"`); `*` and absence mean no precondition. */
export function expectedVersion(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw coreError('PRECONDITION_FAILED', { current: 'unknown' });
  return Number(match[1]);
}

/** Sends a versioned record with its ETag. */
export function withEtag<T extends { version: number }>(reply: FastifyReply, record: T, status = 200): FastifyReply {
  return reply.code(status).header('etag', `"${record.version}"`).send(record);
}

/** Drops undefined values, so optional query parameters stay absent. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

