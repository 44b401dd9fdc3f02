/** `/tickets`: create, list, read, merge-patch, messages, merge. */
import { actorOf, defined, expectedVersion, withEtag, type PluginApp } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import { idParams, ifMatchHeaders, pageOf, problemSchema } from '../schemas/common.js';
import { mergeSchema, messageInputSchema, messageSchema, ticketInputSchema, ticketListQuery, ticketPatchSchema, ticketSchema } from '../schemas/ticket-schemas.js';

const tags = ['support-tickets'];

/** Registers the ticket routes. */
export function ticketRoutes(app: PluginApp, { tickets }: SupportServices): void {
  app.post('/tickets', {
    config: { permission: 'support.ticket.create' },
    schema: { summary: 'Open a ticket with its first message', operationId: 'support.ticket.create', description: 'Opens a ticket with its first public message. The ticket takes the tenant\'s next number, the queue\'s assignment rule picks an assignee, and the matching SLA policy starts its targets. Emits `ticket.created` (and `ticket.assigned`).', tags, body: ticketInputSchema, response: { 201: ticketSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const ticket = await tickets.create(actorOf(request), request.body);
    return withEtag(reply.header('location', `/api/v1/support/tickets/${ticket.id}`), ticket, 201);
  });

  app.get('/tickets', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'List tickets (newest first, within your record scope)', operationId: 'support.ticket.list', description: 'Tickets within the caller\'s record scope (the assignee owns a ticket), filtered by status, queue, assignee, customer or SLA state.', tags, querystring: ticketListQuery, response: { 200: pageOf(ticketSchema), '4xx': problemSchema } },
  }, async (request) => tickets.list(actorOf(request), defined(request.query)));

  app.get('/tickets/:id', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'Get a ticket with its SLA targets', operationId: 'support.ticket.get', description: 'One ticket within the caller\'s record scope, with each SLA target\'s due time, state and remaining business minutes; the `ETag` header is its version.', tags, params: idParams, response: { 200: ticketSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tickets.get(actorOf(request), request.params.id)));

  app.patch('/tickets/:id', {
    config: { permission: 'support.ticket.update' },
    schema: { summary: 'Change a ticket (JSON merge-patch, If-Match)', operationId: 'support.ticket.update', description: 'JSON merge-patch (`application/json` or `application/merge-patch+json`). A status change pauses, resumes or meets SLA targets; solving emits `ticket.solved`, reopening `ticket.reopened`. With `If-Match` a stale version answers 412.', headers: ifMatchHeaders, tags, params: idParams, body: ticketPatchSchema, response: { 200: ticketSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tickets.update(actorOf(request), request.params.id, request.body, expectedVersion(request.headers['if-match']))));

  app.post('/tickets/:id/messages', {
    config: { permission: 'support.ticket.reply' },
    schema: { summary: 'Reply to the customer (public) or add an internal note', operationId: 'support.ticket.reply', description: 'A public reply (the customer sees it; it meets the first- or next-response target) or an internal note (never a response). Emits `ticket.replied` for public replies.', tags, params: idParams, body: messageInputSchema, response: { 201: messageSchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(201).send(await tickets.addMessage(actorOf(request), request.params.id, request.body)));

  app.get('/tickets/:id/messages', {
    config: { permission: 'support.ticket.read' },
    schema: { summary: 'The messages of a ticket, oldest first', operationId: 'support.ticket.messages', description: 'Public replies and internal notes of a ticket, oldest first.', tags, params: idParams, response: { 200: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: messageSchema } } }, '4xx': problemSchema } },
  }, async (request) => tickets.messages(actorOf(request), request.params.id));

  app.post('/tickets/:id/merge', {
    config: { permission: 'support.ticket.merge' },
    schema: { summary: 'Merge other tickets into this one', operationId: 'support.ticket.merge', description: 'Moves the messages and tags of the `from` tickets into this one and closes them as merged. Emits `ticket.merged`.', tags, params: idParams, body: mergeSchema, response: { 200: ticketSchema, '4xx': problemSchema } },
  }, async (request, reply) => withEtag(reply, await tickets.merge(actorOf(request), request.params.id, request.body.from)));
}
