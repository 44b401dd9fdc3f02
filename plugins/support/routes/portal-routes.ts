/**
 * `/portal/tickets`: the customer self-service routes. `config.portal` makes them
 * reachable by customer principals only (and makes every other route refuse those).
 */
import { actorOf, type PluginApp } from '../../../core/plugin/index.js';
import type { SupportServices } from '../services/container.js';
import { idParams, line, pageOf, pageQuerySchema, priority, problemSchema, str } from '../schemas/common.js';
import { messageSchema, portalTicketSchema } from '../schemas/ticket-schemas.js';

const tags = ['support-portal'];

/** Registers the portal routes. */
export function portalRoutes(app: PluginApp, { portal }: SupportServices): void {
  app.get('/portal/tickets', {
    config: { portal: true },
    schema: { summary: 'Your tickets (customer portal)', operationId: 'support.portal-ticket.list', description: 'For a customer principal (a host token with the `customer` role and a `cust` claim): their own tickets, newest first.', tags, querystring: pageQuerySchema, response: { 200: pageOf(portalTicketSchema), '4xx': problemSchema } },
  }, async (request) => portal.list(actorOf(request), { limit: request.query.limit, ...(request.query.cursor && { cursor: request.query.cursor }) }));

  app.post('/portal/tickets', {
    config: { portal: true },
    schema: {
      summary: 'Open a ticket (customer portal)',
      operationId: 'support.portal-ticket.create', description: 'For a customer principal: opens a ticket from the web in their name.',
      tags,
      body: { type: 'object', additionalProperties: false, required: ['subject', 'body'], properties: { subject: line(300, 1), body: str(100_000, 1), priority } },
      response: { 201: portalTicketSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => reply.code(201).send(await portal.create(actorOf(request), request.body)));

  app.get('/portal/tickets/:id', {
    config: { portal: true },
    schema: { summary: 'One of your tickets with its public messages (customer portal)', operationId: 'support.portal-ticket.get', description: 'For a customer principal: one of their tickets with its public messages; another customer\'s ticket is a 404.', tags, params: idParams, response: { 200: portalTicketSchema, '4xx': problemSchema } },
  }, async (request) => portal.get(actorOf(request), request.params.id));

  app.post('/portal/tickets/:id/messages', {
    config: { portal: true },
    schema: {
      summary: 'Answer on one of your tickets (customer portal)',
      operationId: 'support.portal-ticket.reply', description: 'For a customer principal: their answer on one of their tickets; it reopens a solved ticket and resumes paused SLA clocks.',
      tags,
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['body'], properties: { body: str(100_000, 1) } },
      response: { 201: messageSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => reply.code(201).send(await portal.reply(actorOf(request), request.params.id, request.body.body)));
}
