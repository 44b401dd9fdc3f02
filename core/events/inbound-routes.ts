/** `GET /api/v1/events/rejected`: inbound events from other services that were refused, and why. */
import type { FastifyInstance } from 'fastify';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { problemSchema } from '../http/problem.js';
import { actorOf } from '../http/request-guards.js';
import { decodeCursor, encodeCursor } from '../plugin/cursor.js';
import { pageOf, pageQuery } from '../customers/customer-schemas.js';
import type { InboundEvents } from './inbound.js';

const rejectedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'transport', 'subject', 'eventId', 'type', 'reason', 'payload', 'receivedAt'],
  properties: {
    id: { type: 'string' },
    transport: { type: 'string', enum: ['redis', 'nats'] },
    subject: { type: 'string' },
    eventId: { type: ['string', 'null'] },
    type: { type: ['string', 'null'] },
    reason: { type: 'string' },
    payload: { type: 'string', description: 'The message body as received (first 64 KiB)' },
    receivedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** Registers the rejected-inbound-events route. */
export function inboundEventRoutes(scope: FastifyInstance, inbound: InboundEvents): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  app.get('/events/rejected', {
    config: { permission: 'core.event.read' },
    schema: {
      operationId: 'core.event-rejection.list', summary: 'Inbound events from other services that were refused (invalid, unknown tenant, no id), newest first', description: 'Events that arrived over the external transport and were refused before reaching subscribers, with the reason: invalid data, an unknown tenant or a missing id.',
      tags: ['events'],
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
      response: { 200: pageOf(rejectedSchema), '4xx': problemSchema },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    let before: { receivedAt: number; id: string } | undefined;
    if (cursor) {
      const [receivedAt, id] = decodeCursor(cursor, ['integer', 'string']) as [number, string];
      before = { receivedAt, id };
    }
    const page = await inbound.listRejected(actorOf(request).tenantId, limit, before);
    return { items: page.items, nextCursor: page.last ? encodeCursor([page.last.receivedAt, page.last.id]) : null };
  });
}
